"""The contract scenario of `openapi/check scenario`: a citizen's and an officer's first calls,
made through the Python client that openapi-python-client generates from the committed spec.

Every answer must have the documented status and parse into the documented model: each value
of the type the model declares (recursively), no property the spec does not know of. The
server must be fresh and hold the demo data (`motcua seed demo`, whose output gives the demo
passwords).

    PYTHONPATH=<dir with motcua_client> python openapi/scenario.py \
        --base-url http://127.0.0.1:PORT/api/v1 --seed-output seed.txt --server-log server.log

The server sends its one-time codes to its log (the development SMS sender, `DEV SMS to …`),
where the scenario reads the code that confirms the new citizen's phone, as the citizen reads it
on the phone.
"""

from __future__ import annotations

import argparse
import datetime
import random
import re
import sys
import time
import types
import typing
import uuid
from collections.abc import Callable
from pathlib import Path

import attrs

try:
    from motcua_client import AuthenticatedClient, Client, models
    from motcua_client.api.appointments import (
        book_appointment,
        cancel_appointment,
        list_my_appointments,
        list_unit_slots,
        reschedule_appointment,
    )
    from motcua_client.api.auth import login, register, verify_phone
    from motcua_client.api.dossiers import take_in_dossier
    from motcua_client.api.lookup import look_up_dossier
    from motcua_client.api.me import get_me
    from motcua_client.api.procedures import get_procedure, list_procedures
    from motcua_client.models import (
        Applicant,
        ApplicantKind,
        Appointment,
        AppointmentStatus,
        CancelledBy,
        CancelRequest,
        NewAppointment,
        PageAppointment,
        RescheduleRequest,
        SlotView,
        Channel,
        IntakeRequest,
        LoginRequest,
        VerifyPhoneRequest,
        LookupRequest,
        LookupResult,
        PageProcedureSummary,
        Problem,
        Procedure,
        ProcedureSummary,
        Receipt,
        ReceivedDocument,
        RegisterRequest,
        RoleName,
        StatusName,
        TokenPair,
        UserProfile,
    )
    from motcua_client.types import Unset
except ImportError as e:  # the spec lost an operation or a schema the scenario needs
    print(f"FAIL  the generated client lacks what the scenario needs: {e}")
    sys.exit(1)

SEED_LINE = re.compile(r"^(?P<role>[a-z_]+)\s+(?P<phone>\S+)\s+(?P<unit>\S+)\s+password: (?P<password>\S.*)$")
# "Đăng ký khai sinh" (birth registration) in the demo catalogue, handled by UBND phường Lái Thiêu.
BIRTH_REGISTRATION = "1.001193"


class ScenarioFailure(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise ScenarioFailure(message)


# --- the typed-model check -----------------------------------------------------------------


def _hints(cls: type) -> dict[str, typing.Any]:
    module = sys.modules[cls.__module__]
    namespace = {**vars(models), **vars(module), "datetime": datetime, "Unset": Unset}
    return typing.get_type_hints(cls, globalns=namespace)


def _matches(value: object, hint: object, path: str, problems: list[str]) -> bool:
    if hint is typing.Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(hint)
        # Try quietly first, then report against the first non-trivial option.
        for option in options:
            if _matches(value, option, path, []):
                return _matches(value, option, path, problems)
        problems.append(f"{path}: {value!r} is none of {hint}")
        return False
    if hint is type(None):
        return value is None
    if origin is list:
        if not isinstance(value, list):
            problems.append(f"{path}: {type(value).__name__} where a list is declared")
            return False
        (item,) = typing.get_args(hint) or (typing.Any,)
        return all([_matches(v, item, f"{path}[{i}]", problems) for i, v in enumerate(value)])
    if origin is dict:
        return isinstance(value, dict)
    if isinstance(hint, type):
        if hint is float:
            ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        elif hint is int:
            ok = isinstance(value, int) and not isinstance(value, bool)
        else:
            ok = isinstance(value, hint)
        if not ok:
            problems.append(f"{path}: {type(value).__name__} {value!r} where {hint.__name__} is declared")
            return False
        if attrs.has(hint):
            check_model(value, path, problems)
        return True
    problems.append(f"{path}: cannot check against {hint!r}")
    return False


def check_model(model: object, path: str, problems: list[str]) -> None:
    """Every field of an attrs model of the client has its declared type, recursively, and
    the server sent nothing the spec leaves out (`additional_properties`)."""
    cls = type(model)
    hints = _hints(cls)
    for field in attrs.fields(cls):
        if field.name == "additional_properties":
            extras = getattr(model, field.name)
            if extras:
                problems.append(f"{path}: properties not in the spec: {sorted(extras)}")
            continue
        _matches(getattr(model, field.name), hints[field.name], f"{path}.{field.name}", problems)


def parsed_as(response, status: int, model: type, what: str):
    """The `parsed` of a `*_detailed` call: the documented status and a valid `model`."""
    body = response.content.decode("utf-8", errors="replace")[:400]
    expect(
        int(response.status_code) == status,
        f"{what}: HTTP {int(response.status_code)}, expected {status}; body: {body}",
    )
    parsed = response.parsed
    expect(
        isinstance(parsed, model),
        f"{what}: parsed into {type(parsed).__name__}, expected {model.__name__}; body: {body}",
    )
    problems: list[str] = []
    check_model(parsed, model.__name__, problems)
    expect(not problems, f"{what}: the answer does not match {model.__name__}:\n    " + "\n    ".join(problems))
    return parsed


# --- the scenario ----------------------------------------------------------------------------


def demo_accounts(seed_output: str) -> list[dict[str, str]]:
    accounts = []
    for line in Path(seed_output).read_text(encoding="utf-8").splitlines():
        m = SEED_LINE.match(line.strip())
        if m:
            accounts.append({k: v.strip() for k, v in m.groupdict().items()})
    expect(bool(accounts), f"no demo accounts in {seed_output}")
    return accounts


def sms_code(server_log: str, phone: str) -> str:
    """The last one-time code the development SMS sender logged for `phone` (`+84…`)."""
    pattern = re.compile(r"DEV SMS to " + re.escape(phone) + r" : \D*(\d{6})")
    for _ in range(50):
        codes = pattern.findall(Path(server_log).read_text(encoding="utf-8", errors="replace"))
        if codes:
            return codes[-1]
        time.sleep(0.1)
    raise ScenarioFailure(f"no SMS to {phone} in {server_log}")


def run(base_url: str, seed_output: str, server_log: str) -> list[tuple[str, Callable[[], str], tuple[str, ...]]]:
    public = Client(base_url=base_url, raise_on_unexpected_status=True)
    state: dict[str, typing.Any] = {}

    def register_citizen() -> str:
        phone = "098" + "".join(random.choices("0123456789", k=7))
        state["citizen"] = {"phone": phone, "password": f"hoa sen nở {uuid.uuid4().hex[:8]}"}
        body = RegisterRequest(phone=phone, password=state["citizen"]["password"], full_name="Trần Thị Bình")
        user = parsed_as(register.sync_detailed(client=public, body=body), 201, UserProfile, "POST /auth/register")
        expect(user.role == RoleName.CITIZEN, f"registered with role {user.role}")
        expect(user.phone == "+84" + phone[1:], f"phone stored as {user.phone!r}, expected +84{phone[1:]}")
        state["citizen_id"] = user.id
        return f"{user.phone} {user.id}"

    def log_in_citizen() -> str:
        body = LoginRequest(phone=state["citizen"]["phone"], password=state["citizen"]["password"])
        tokens = parsed_as(login.sync_detailed(client=public, body=body), 200, TokenPair, "POST /auth/login")
        expect(tokens.token_type == "Bearer", f"token_type {tokens.token_type!r}")
        expect(tokens.expires_in > 0, f"expires_in {tokens.expires_in}")
        citizen = AuthenticatedClient(base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True)
        state["citizen_client"] = citizen
        me = parsed_as(get_me.sync_detailed(client=citizen), 200, UserProfile, "GET /me")
        expect(me.id == state["citizen_id"], "GET /me is someone else")
        return f"token for {tokens.expires_in}s; GET /me is {me.full_name}"

    def confirm_phone() -> str:
        phone = "+84" + state["citizen"]["phone"][1:]
        body = VerifyPhoneRequest(code=sms_code(server_log, phone))
        response = verify_phone.sync_detailed(client=state["citizen_client"], body=body)
        expect(response.status_code == 204, f"POST /auth/phone/verify: HTTP {response.status_code}")
        me = parsed_as(get_me.sync_detailed(client=state["citizen_client"]), 200, UserProfile, "GET /me")
        expect(me.phone_verified, "the phone is not verified after the code")
        return f"{phone} confirmed with the code from the SMS"

    def search(q: str) -> set[str]:
        page = parsed_as(
            list_procedures.sync_detailed(client=public, q=q), 200, PageProcedureSummary, f"GET /procedures?q={q}"
        )
        expect(all(isinstance(p, ProcedureSummary) for p in page.items), "items are not ProcedureSummary")
        codes = {p.code for p in page.items}
        expect(BIRTH_REGISTRATION in codes, f"q={q!r} does not find {BIRTH_REGISTRATION} (got {sorted(codes)})")
        return codes

    def search_procedures() -> str:
        queries = ["đăng ký khai sinh", "dang ky khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh"]
        found = {q: search(q) for q in queries}
        expect(
            found["đăng ký khai sinh"] == found["dang ky khai sinh"] == found["ĐĂNG KÝ KHAI SINH"],
            f"with and without diacritics differ: {found}",
        )
        return ", ".join(f"{q!r}: {len(c)}" for q, c in found.items())

    def intake() -> str:
        officer_account = next(
            (a for a in demo_accounts(seed_output) if a["role"] == "officer" and a["unit"] == "000.20.33.H12"), None
        )
        expect(officer_account is not None, "no demo officer of 000.20.33.H12 in the seed output")
        body = LoginRequest(phone=officer_account["phone"], password=officer_account["password"])
        tokens = parsed_as(login.sync_detailed(client=public, body=body), 200, TokenPair, "POST /auth/login (officer)")
        officer = AuthenticatedClient(base_url=base_url, token=tokens.access_token, raise_on_unexpected_status=True)
        procedure = parsed_as(
            get_procedure.sync_detailed(BIRTH_REGISTRATION, client=public), 200, Procedure, "GET /procedures/{code}"
        )
        documents = [ReceivedDocument(name=d.name, count=1) for d in procedure.documents[:2]]
        request = IntakeRequest(
            procedure_code=BIRTH_REGISTRATION,
            applicant=Applicant(
                full_name="Nguyễn Văn An", id_number="074095001234", phone="0912345678", kind=ApplicantKind.CITIZEN
            ),
            channel=Channel.DESK,
            documents=documents,
        )
        receipt = parsed_as(take_in_dossier.sync_detailed(client=officer, body=request), 201, Receipt, "POST /dossiers")
        expect(isinstance(receipt.lookup_secret, str) and receipt.lookup_secret != "", "no lookup_secret at intake")
        expect(receipt.status == StatusName.ACCEPTED, f"a desk intake starts as {receipt.status}, expected accepted")
        expect(receipt.due_at >= receipt.received_at, "due before received")
        state["receipt"] = receipt
        return f"{receipt.code} ({receipt.status.value}, due {receipt.due_at.isoformat()})"

    def lookup() -> str:
        receipt = state["receipt"]
        body = LookupRequest(code=receipt.code, secret=receipt.lookup_secret)
        result = parsed_as(
            look_up_dossier.sync_detailed(client=public, body=body), 200, LookupResult, "POST /dossiers/lookup"
        )
        expect(result.code == receipt.code, f"looked up {result.code}, expected {receipt.code}")
        expect(result.status == receipt.status, f"status {result.status}, receipt says {receipt.status}")
        # Case and dashes do not matter in the secret.
        loose = LookupRequest(code=receipt.code, secret=receipt.lookup_secret.replace("-", "").lower())
        parsed_as(
            look_up_dossier.sync_detailed(client=public, body=loose), 200, LookupResult, "POST /dossiers/lookup (loose)"
        )
        return (
            f"{result.code}: {result.status_label}, {result.timeliness.value}, {len(result.timeline)} timeline entries"
        )

    def not_found() -> str:
        receipt = state["receipt"]
        wrong = LookupRequest(code=receipt.code, secret="AAAA-AAAA")
        problem = parsed_as(
            look_up_dossier.sync_detailed(client=public, body=wrong),
            404,
            Problem,
            "POST /dossiers/lookup (wrong secret)",
        )
        expect(problem.status == 404 and problem.code == "not_found", f"problem {problem.status} {problem.code}")
        english = Client(base_url=base_url, headers={"Accept-Language": "en"}, raise_on_unexpected_status=True)
        other = parsed_as(
            get_procedure.sync_detailed("9.999999", client=english), 404, Problem, "GET /procedures/{code} (unknown)"
        )
        expect(other.status == 404 and other.code == "not_found", f"problem {other.status} {other.code}")
        return f"{problem.type_}: {problem.title!r}; in English: {other.title!r}"

    def appointment() -> str:
        citizen = state["citizen_client"]
        today = datetime.date.today()
        response = list_unit_slots.sync_detailed(
            "000.20.33.H12", client=public, from_=today, to=today + datetime.timedelta(days=14)
        )
        expect(int(response.status_code) == 200, f"GET /units/{{code}}/slots: HTTP {int(response.status_code)}")
        slots = response.parsed
        expect(isinstance(slots, list) and all(isinstance(s, SlotView) for s in slots), "slots are not SlotViews")
        problems: list[str] = []
        for i, slot in enumerate(slots):
            check_model(slot, f"SlotView[{i}]", problems)
        expect(not problems, "slots do not match SlotView:\n    " + "\n    ".join(problems))
        # Slots far enough ahead to be moved and cancelled: past the unit's cut-off (2 hours).
        later = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=3)
        bookable = [s for s in slots if s.bookable and s.start > later]
        expect(len(bookable) >= 2, f"fewer than two bookable slots in two weeks ({len(slots)} listed)")
        body = NewAppointment(unit_code="000.20.33.H12", procedure_code=BIRTH_REGISTRATION, start=bookable[0].start)
        key = str(uuid.uuid4())
        booked = parsed_as(
            book_appointment.sync_detailed(client=citizen, body=body, idempotency_key=key),
            201,
            Appointment,
            "POST /appointments",
        )
        expect(booked.status == AppointmentStatus.BOOKED, f"booked as {booked.status}")
        again = book_appointment.sync_detailed(client=citizen, body=body, idempotency_key=key)
        expect(again.headers.get("idempotency-replayed") == "true", "a retry is not marked as replayed")
        expect(parsed_as(again, 201, Appointment, "POST /appointments (retry)").id == booked.id, "a retry booked twice")
        moved = parsed_as(
            reschedule_appointment.sync_detailed(
                booked.id, client=citizen, body=RescheduleRequest(start=bookable[1].start), if_match=f'"{booked.version}"'
            ),
            200,
            Appointment,
            "POST /appointments/{id}/reschedule",
        )
        expect(moved.id == booked.id and moved.previous_start == booked.start, "the move lost the booking's past")
        cancelled = parsed_as(
            cancel_appointment.sync_detailed(
                booked.id, client=citizen, body=CancelRequest(reason="Tôi có việc bận"), if_match=f'"{moved.version}"'
            ),
            200,
            Appointment,
            "POST /appointments/{id}/cancel",
        )
        expect(cancelled.cancelled_by == CancelledBy.CITIZEN, f"cancelled by {cancelled.cancelled_by}")
        mine = parsed_as(
            list_my_appointments.sync_detailed(client=citizen), 200, PageAppointment, "GET /me/appointments"
        )
        expect([a.id for a in mine.items] == [booked.id], "GET /me/appointments does not list the booking")
        return f"booked {booked.start.isoformat()}, moved to {moved.start.isoformat()}, cancelled"

    # (name, step, the earlier steps it needs)
    return [
        ("register a citizen", register_citizen, ()),
        ("log in", log_in_citizen, ("register a citizen",)),
        ("confirm the phone with the SMS code", confirm_phone, ("log in",)),
        ("search procedures with and without diacritics", search_procedures, ()),
        ("officer's dossier intake", intake, ()),
        ("public lookup", lookup, ("officer's dossier intake",)),
        ("404 as a typed Problem", not_found, ("officer's dossier intake",)),
        ("book, move and cancel an appointment", appointment, ("confirm the phone with the SMS code",)),
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8080/api/v1")
    parser.add_argument("--seed-output", required=True, help="what `motcua seed demo` printed")
    parser.add_argument("--server-log", required=True, help="the server's log (the SMS sender writes there)")
    args = parser.parse_args()
    failed: list[str] = []
    for name, step, needs in run(args.base_url, args.seed_output, args.server_log):
        missing = [n for n in needs if n in failed]
        if missing:
            failed.append(name)
            print(f"skip  {name}: needs {', '.join(missing)}")
            continue
        try:
            print(f"ok    {name}: {step()}")
        except ScenarioFailure as e:
            failed.append(name)
            print(f"FAIL  {name}: {e}")
        except Exception as e:  # e.g. a model that cannot even be built from the answer
            failed.append(name)
            print(f"FAIL  {name}: {type(e).__name__}: {e}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
