"""Channels a contact can arrive on, and the media kind each one occupies."""

from enum import StrEnum


class Channel(StrEnum):
    VOICE = "voice"
    CALLBACK = "callback"
    CHAT = "chat"
    EMAIL = "email"
    SMS = "sms"
    MESSENGER = "messenger"
    SOCIAL = "social"
    WEBHOOK = "webhook"


class Media(StrEnum):
    """What a contact occupies on the agent's side: capacity is counted per media."""

    CALL = "call"
    CHAT = "chat"
    EMAIL = "email"


MEDIA_OF: dict[Channel, Media] = {
    Channel.VOICE: Media.CALL,
    Channel.CALLBACK: Media.CALL,
    Channel.CHAT: Media.CHAT,
    Channel.SMS: Media.CHAT,
    Channel.MESSENGER: Media.CHAT,
    Channel.SOCIAL: Media.CHAT,
    Channel.EMAIL: Media.EMAIL,
    Channel.WEBHOOK: Media.EMAIL,
}
