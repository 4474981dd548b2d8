// Compiled by `openapi/check clients` with `tsc --strict --noEmit` next to the types that
// openapi-typescript generates from the spec (motcua.ts). It uses them the way an app would
// and asserts that the types that matter are exactly what the API sends: no `any`, no
// `unknown`, enums as string unions.
import type { components, operations, paths } from "./motcua";

type Schemas = components["schemas"];
type Json = "application/json; charset=utf-8";

// Type-level assertions.
type Equal<X, Y> = (<T>() => T extends X ? 1 : 2) extends <T>() => T extends Y ? 1 : 2 ? true : false;
type Assert<T extends true> = T;
type IsLoose<T> = 0 extends 1 & T ? true : unknown extends T ? true : false;
type Not<T extends boolean> = T extends true ? false : true;

// Enums are string unions (an unquoted YAML `off` must not become `false`).
export type DayStatusIsUnion = Assert<Equal<Schemas["DayStatus"], "working" | "off">>;
export type ChannelIsUnion = Assert<Equal<Schemas["Channel"], "desk" | "online" | "post">>;
export type ApplicantKindIsUnion = Assert<Equal<Schemas["ApplicantKind"], "citizen" | "business">>;
export type StatusNames = Assert<
  Equal<
    Schemas["StatusName"],
    | "newly_submitted"
    | "accepted"
    | "refused"
    | "in_progress"
    | "supplement_requested"
    | "payment_required"
    | "withdrawn"
    | "stopped"
    | "processed"
    | "returned"
  >
>;

// A property that refers to an enum has that enum's type, not something wider or looser.
export type ReceiptStatus = Assert<Equal<Schemas["Receipt"]["status"], Schemas["StatusName"]>>;
export type IntakeChannel = Assert<Equal<Schemas["IntakeRequest"]["channel"], Schemas["Channel"]>>;
export type ApplicantKind = Assert<Equal<Schemas["Applicant"]["kind"], Schemas["ApplicantKind"]>>;
export type LookupStatus = Assert<Not<IsLoose<Schemas["LookupResult"]["status"]>>>;

// Numbers are numbers and dates are strings.
export type ExpiresIn = Assert<Equal<Schemas["TokenPair"]["expires_in"], number>>;
export type ProblemStatus = Assert<Equal<Schemas["Problem"]["status"], number>>;
export type ReceivedAt = Assert<Equal<Schemas["Receipt"]["received_at"], string>>;

// The calls of openapi/scenario.py, typed end to end.
type LoginBody = NonNullable<operations["login"]["requestBody"]>["content"][Json];
type LoginOk = paths["/auth/login"]["post"]["responses"][200]["content"][Json];
type IntakeBody = NonNullable<paths["/dossiers"]["post"]["requestBody"]>["content"][Json];
type IntakeOk = paths["/dossiers"]["post"]["responses"][201]["content"][Json];
type LookupOk = paths["/dossiers/lookup"]["post"]["responses"][200]["content"][Json];
type SearchOk = paths["/procedures"]["get"]["responses"][200]["content"][Json];
type NotFound = paths["/dossiers/lookup"]["post"]["responses"][404]["content"]["application/problem+json"];
type SearchQuery = NonNullable<paths["/procedures"]["get"]["parameters"]["query"]>;

export type TypedEnd2End = Assert<
  Equal<[LoginOk, IntakeOk, LookupOk, NotFound], [Schemas["TokenPair"], Schemas["Receipt"], Schemas["LookupResult"], Schemas["Problem"]]>
>;

export const login: LoginBody = { phone: "0900000005", password: "lúa chín vàng đồng" };

export const intake: IntakeBody = {
  procedure_code: "1.001193",
  applicant: { full_name: "Nguyễn Văn An", id_number: "074095001234", phone: "0912345678", kind: "citizen" },
  channel: "desk",
  documents: [{ name: "Tờ khai đăng ký khai sinh theo mẫu", count: 1 }],
};

export const search: SearchQuery = { q: "đăng ký khai sinh", page: 1, per_page: 20 };

export function bearer(tokens: LoginOk): string {
  return `${tokens.token_type} ${tokens.access_token} (${tokens.expires_in + 0}s)`;
}

export function receiptLine(receipt: IntakeOk): string {
  // Only the intake answer has the secret (optional, possibly nullable): a string or nothing.
  const secret: string = receipt.lookup_secret ?? "";
  return `${receipt.code} ${receipt.status} ${receipt.due_at} ${secret}`;
}

export function names(page: SearchOk): string[] {
  return page.items.map((p) => `${p.code} ${p.name}`);
}

export function timeline(result: LookupOk): string {
  return `${result.code}: ${result.status_label}`;
}

export function describe(problem: NotFound): string {
  const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`);
  return `${problem.status} ${problem.code} ${problem.title}: ${problem.detail} ${fields.join("; ")}`;
}
