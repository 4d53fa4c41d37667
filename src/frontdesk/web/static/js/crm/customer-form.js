// The API's refusals of a customer (templates/customers/_form.html) put at the field they
// concern, in the reader's language.
import { ApiError } from "../api.js";
import { t } from "../i18n.js";

const FIELDS = {
  "customer.name_required": "name",
  "customer.invalid_phone": "phones",
  "customer.invalid_email": "emails",
};
const IDENTITY_FIELDS = { phone: "phones", email: "emails", messenger: "messenger_ids" };

function message(error) {
  const problem = error.problem;
  switch (error.code) {
    case "customer.name_required":
      return t("Write the customer's name.");
    case "customer.invalid_phone":
      return t("{value} is not a phone number that can be called.", { value: problem.value });
    case "customer.invalid_email":
      return t("{value} is not an e-mail address.", { value: problem.value });
    case "customer.identity_taken":
      return t("{value} belongs to another customer: merge the two instead.", {
        value: String(problem.identity || "").split(":").slice(1).join(":"),
      });
    default:
      return null;
  }
}

/** The error, with the field it concerns and a message in the page's language. */
export function placed(error) {
  if (!(error instanceof ApiError)) return error;
  const field = error.code === "customer.identity_taken"
    ? IDENTITY_FIELDS[String(error.problem.identity || "").split(":")[0]]
    : FIELDS[error.code];
  if (field && !error.problem.field) error.problem.field = field;
  const text = message(error);
  if (text) error.message = text;
  return error;
}
