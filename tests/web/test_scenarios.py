"""Scenario versions: validation with places, saving as JSON or YAML, diff and publication."""

from __future__ import annotations

import httpx

from frontdesk.web.container import Frontdesk

from .conftest import ONE_QUEUE, VOICE, assert_problem

TWO_QUEUES = ONE_QUEUE.replace(
    "rules:\n", "rules:\n  - when: contact.priority > 5\n    queue: vip\n"
)
UNKNOWN_QUEUE = "scenario: test\nversion: 1\nrules:\n  - queue: nowhere\n"


async def add_vip_queue(admin: httpx.AsyncClient) -> None:
    assert (await admin.put("/api/v1/queues/vip", json={"name": "VIP"})).status_code == 201


async def test_validation_reports_every_problem_with_its_place(sofia: httpx.AsyncClient) -> None:
    bad = await sofia.post("/api/v1/scenarios/validate", json={"text": UNKNOWN_QUEUE})
    assert bad.status_code == 200
    body = bad.json()
    assert body["valid"] is False
    [problem] = body["problems"]
    assert (problem["line"], problem["column"]) == (4, 12)
    assert "nowhere" in problem["message"]
    good = await sofia.post(
        "/api/v1/scenarios/validate", content=ONE_QUEUE, headers={"content-type": "text/yaml"}
    )
    assert good.json() == {"valid": True, "problems": []}


async def test_a_version_is_saved_from_json_or_yaml(admin: httpx.AsyncClient) -> None:
    await add_vip_queue(admin)
    as_json = await admin.post("/api/v1/scenarios", json={"text": TWO_QUEUES, "comment": "vip"})
    assert as_json.status_code == 201
    assert (as_json.json()["version"], as_json.json()["author"]) == (2, "admin")
    as_yaml = await admin.post(
        "/api/v1/scenarios",
        content=ONE_QUEUE.encode(),
        params={"comment": "back to one"},
        headers={"content-type": "text/yaml; charset=utf-8"},
    )
    assert as_yaml.status_code == 201
    assert as_yaml.json()["comment"] == "back to one"
    listed = (await admin.get("/api/v1/scenarios")).json()
    assert [v["version"] for v in listed] == [1, 2, 3]
    assert "text" not in listed[0]
    assert listed[0]["published_at"] is not None
    assert (await admin.get("/api/v1/scenarios/2")).json()["text"] == TWO_QUEUES


async def test_an_invalid_scenario_is_not_saved(admin: httpx.AsyncClient) -> None:
    answer = await admin.post("/api/v1/scenarios", json={"text": UNKNOWN_QUEUE})
    assert_problem(answer, 422, "scenario.invalid")
    assert len((await admin.get("/api/v1/scenarios")).json()) == 1
    assert_problem(await admin.get("/api/v1/scenarios/2"), 404, "scenario.not_found")


async def test_a_scenario_in_another_media_type_is_a_415(admin: httpx.AsyncClient) -> None:
    answer = await admin.post(
        "/api/v1/scenarios", content=b"<rules/>", headers={"content-type": "application/xml"}
    )
    assert_problem(answer, 415, "request.unsupported_media_type")


async def test_publishing_shows_the_diff_and_what_happens_to_waiting_contacts(
    admin: httpx.AsyncClient, frontdesk: Frontdesk
) -> None:
    await add_vip_queue(admin)
    await admin.post("/api/v1/scenarios", json={"text": TWO_QUEUES})
    diff = (await admin.get("/api/v1/scenarios/2/diff")).json()
    assert "+    queue: vip" in diff["diff"]
    published = await admin.post("/api/v1/scenarios/2/publish")
    assert published.status_code == 200
    body = published.json()
    assert (body["version"], body["previous"], body["waiting"]) == (2, 1, 0)
    assert body["diff"] == diff["diff"]
    assert "version 2" in body["note"]
    again = await admin.post("/api/v1/scenarios/2/publish")
    assert_problem(again, 409, "scenario.already_published")
    urgent = await admin.post(
        "/api/v1/inbound", json={"access_point": VOICE, "sender": "+79161234567", "priority": 9}
    )
    await frontdesk.dispatcher.settle()
    routed = (await admin.get(f"/api/v1/contacts/{urgent.json()['id']}")).json()
    assert routed["handling"]["queue"] == "vip"


async def test_supervisors_read_scenarios_but_do_not_save_or_publish(
    sofia: httpx.AsyncClient,
) -> None:
    assert (await sofia.get("/api/v1/scenarios/1")).status_code == 200
    assert_problem(
        await sofia.post("/api/v1/scenarios", json={"text": ONE_QUEUE}), 403, "auth.forbidden"
    )
    assert_problem(await sofia.post("/api/v1/scenarios/1/publish"), 403, "auth.forbidden")
