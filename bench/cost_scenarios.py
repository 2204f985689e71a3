"""What ``make bench`` measures DynamoDB against: each API's table filled with ``count`` rows,
and every endpoint of the API as (method, path, content type, body[, headers])."""
import time

TOPICS = ("Parking", "Alarm", "Air Conditioning")
STATES = ("NEW", "IN_PROGRESS", "PROBLEM", "SUCCESSFUL", "CANCELLED")


def fill_support_requests(count: int) -> None:
    """Write ``count`` requests straight into the table, as raise_request would shape them."""
    from chalicelib.core import timestamps
    from chalicelib.support_requests.models import SupportRequest
    start = time.time() - count
    with SupportRequest.batch_write() as batch:
        for n in range(count):
            when = timestamps.to_storage(timestamps.from_epoch(start + n))
            request = SupportRequest(
                str(20000000 + n), version=1, state=STATES[n % 5], topic=TOPICS[n % 3],
                summary=f"request {n}", email="joe.banks@example.net", creator="Joseph Banks",
                community="original", account="01234574", creation_time=when,
                last_update_time=when, unacked_since=when if n % 2 else None, changed_version=1)
            request.refresh_feeds()
            batch.save(request)


def account_id(n: int) -> str:
    """The identifier of the n-th bench account (Luhn-valid, as every customer's is)."""
    from chalicelib.accounts.service import with_check_digit
    return with_check_digit(3000000 + n)


def fill_customers(count: int) -> None:
    """``count`` accounts (with their field copies), properties and relationships."""
    from chalicelib.accounts import passwords
    from chalicelib.accounts.models import Account
    from chalicelib.core import timestamps
    from chalicelib.core.unique_keys import UniqueKey
    from chalicelib.properties.models import Property
    from chalicelib.property_relationships.models import PropertyRelationship
    start = time.time() - count
    password_hash = passwords.hash_password("Bench-Password-1")  # one hash for all: speed
    copies = []
    with Account.batch_write() as accounts, Property.batch_write() as estates, \
            PropertyRelationship.batch_write() as relationships:
        for n in range(count):
            when = timestamps.to_storage(timestamps.from_epoch(start + n))
            identifier = account_id(n)
            account = Account(identifier, version=1, email=f"bench{n}@example.net",
                              community="original",
                              password_hash=password_hash, given_name="Bench",
                              family_name=str(n), creation_time=when, last_update_time=when,
                              unacked_since=when if n % 2 else None, changed_version=1,
                              additional_fields={"crm-identifier": f"CRM{n % 100}"},
                              relationships=[str(50000000 + n)])
            account.refresh_feeds()
            saves, _ = account.companions()
            copies += saves + [UniqueKey(f"customer-email#original#bench{n}@example.net",
                                         owner=identifier)]
            accounts.save(account)
            estate = Property(f"PP-{40000000 + n}", version=1, name=f"Unit {n}", creation_time=when,
                              last_update_time=when, address={"street-address": "1 Bench St",
                                                              "country-name": {"code": "AU"}})
            estate.refresh_feeds()
            estates.save(estate)
            relationship = PropertyRelationship(
                str(50000000 + n), version=1, account=identifier,
                property_identifier=estate.identifier, changed_version=1,
                relationship="OWNER", start_date="2020-01-01", creation_time=when,
                last_update_time=when, unacked_since=when if n % 3 else None)
            relationship.refresh_feeds()
            relationships.save(relationship)
            copies.append(UniqueKey(f"active-property-relationship#{identifier}#"
                                    f"{estate.identifier}#OWNER", owner=relationship.identifier))
    from chalicelib.accounts.models import AccountFieldEntry
    with AccountFieldEntry.batch_write() as field_copies, UniqueKey.batch_write() as claims:
        for item in copies:
            (claims if isinstance(item, UniqueKey) else field_copies).save(item)


def customer_endpoints() -> list[tuple[str, str, str, str]]:
    xml = "application/xml"
    form = "application/x-www-form-urlencoded"
    base = "/api/v1/customers"
    account = account_id(0)
    ack = "<acknowledgements><acknowledgement>{}</acknowledgement></acknowledgements>"
    new_account = ('<account><owner><email>new@example.net</email><password>Bench-Password-1'
                   '</password><name><family-name>B</family-name><given-name>N</given-name>'
                   '</name></owner><additional-fields><field key="crm-identifier">CRM1</field>'
                   '</additional-fields><communities><community>original</community>'
                   '</communities></account>')
    update = new_account.replace("<email>new@example.net</email><password>Bench-Password-1"
                                 "</password>", "")
    return [
        ("GET", f"{base}/{account}", "", ""),
        ("GET", f"{base}/extid/BENCH-C", "", ""),
        ("GET", f"{base}?limit=100", "", ""),
        ("GET", f"{base}?limit=10&offset=50", "", ""),
        ("GET", f"{base}?acked=false&limit=100", "", ""),
        ("GET", f"{base}/by-additional-field/crm-identifier/CRM7?limit=100", "", ""),
        ("GET", f"{base}/by-additional-field/crm-identifier/CRM7?limit=10&offset=20", "", ""),
        ("GET", f"{base}/by_email/original/bench7@example.net", "", ""),
        ("POST", base, xml, new_account),
        ("PUT", f"{base}/{account}", xml, update),
        ("PUT", f"{base}/{account}/change-login", xml,
         "<change-login><login-id>moved@example.net</login-id></change-login>"),
        ("POST", f"{base}/{account}/comments", xml,
         "<customer-update><comment>bench</comment></customer-update>"),
        ("POST", f"{base}/{account}/extid", form, "extid=BENCH-C2"),
        ("POST", f"{base}/acked", xml, ack.format(account)),
        ("GET", "/api/v1/properties?limit=100", "", ""),
        ("GET", "/api/v1/properties/PP-40000000", "", ""),
        ("POST", "/api/v1/properties", xml, '<property><name>P</name><address><street-address>'
                                            '1 St</street-address><country-name code="AU"/>'
                                            '</address></property>'),
        ("POST", "/api/v1/properties/acked", xml, ack.format("PP-40000000")),
        ("GET", "/api/v1/property-relationship?limit=100", "", ""),
        ("GET", "/api/v1/property-relationship?acked=true&limit=10&offset=30", "", ""),
        ("GET", "/api/v1/property-relationship/50000000", "", ""),
        ("POST", "/api/v1/property-relationship", xml,
         f'<associated-account><account identifier="{account_id(18)}"/><property '
         'identifier="PP-40000001"/><relationship>OCCUPIER</relationship>'
         '</associated-account>'),
        ("PUT", "/api/v1/property-relationship/50000000/end", xml,
         "<property-relationship-end><end-date>2025-01-01</end-date>"
         "</property-relationship-end>"),
        ("POST", "/api/v1/property-relationship/acked", xml, ack.format("50000001")),
    ]


def support_request_endpoints(identifier: str) -> list[tuple[str, str, str, str]]:
    xml = "application/xml"
    form = "application/x-www-form-urlencoded"
    base = "/api/v1/requests"
    return [
        ("GET", f"{base}/{identifier}", "", ""),
        ("GET", f"{base}/extid/BENCH-1", "", ""),
        ("GET", f"{base}?limit=100", "", ""),
        ("GET", f"{base}?limit=10&offset=50", "", ""),
        ("GET", f"{base}?acked=false&limit=100", "", ""),
        ("GET", f"{base}?last-update-from=2000-01-01T00:00:00Z&limit=100", "", ""),
        ("GET", f"{base}/by-topic/Parking?limit=100", "", ""),
        ("GET", f"{base}/by-topic/Parking/in-state/NEW?limit=100", "", ""),
        ("GET", f"{base}/by-topic/Parking/in-state/NEW?acked=true&limit=10&offset=20", "", ""),
        ("POST", base, xml, '<support-request><account identifier="01234574"/>'
                            '<topic identifier="Parking"/><summary>bench</summary>'
                            '</support-request>'),
        ("POST", f"{base}/{identifier}/updates", xml,
         "<support-request-update><comment>bench</comment></support-request-update>"),
        ("POST", f"{base}/extid/BENCH-1/updates", xml,
         "<support-request-update><comment>bench</comment></support-request-update>"),
        ("POST", f"{base}/{identifier}/extid", form, "extid=BENCH-2"),
        ("POST", f"{base}/acked", xml,
         f"<acknowledgements><acknowledgement>{identifier}</acknowledgement></acknowledgements>"),
        ("POST", f"{base}/external/acked", xml,
         "<acknowledgements><acknowledgement>BENCH-2</acknowledgement></acknowledgements>"),
        ("POST", "/oauth2/token", form, "grant_type=client_credentials"),
    ]


def fill_service_requests(count: int) -> None:
    """``count`` service requests of the demo configuration, in every life cycle state."""
    from chalicelib.core import timestamps
    from chalicelib.service_requests import configuration
    from chalicelib.service_requests.models import ServiceRequest, Stage
    fault = configuration.resolve("type", {"name": "Fault"}, "bench")
    statuses = {s.life_cycle_state: s for s in configuration.entries("status")
                if s.type_id == fault.id}
    categories = [c.id for c in configuration.entries("category")]
    visit = configuration.resolve("response_category", {"name": "Site Visit Proposed"}, "b")
    states = ("PENDING", "RESPONDED", "FINAL RESOLVED", "COMPLETED", "CANCELLED")
    start = time.time() - count
    with ServiceRequest.batch_write() as batch:
        for n in range(count):
            when = timestamps.to_storage(timestamps.from_epoch(start + n))
            due = timestamps.to_storage(timestamps.from_epoch(start + count + n * 60))
            state = states[n % len(states)]
            request = ServiceRequest(
                f"SR{n + 1:08d}", id=f"bench{n:08d}", version=1, type_id=fault.id,
                accounts_receivable="01234574", contact="01234574",
                accounts_receivable_name="Joseph Banks", contact_email="joe.banks@example.net",
                caller_email="joe.banks@example.net", status_id=statuses[state].id,
                life_cycle_state=state, category_id=categories[n % len(categories)],
                urgency_level="URGENCY1", impact_level="IMPACT1", start_date=when,
                expected_completion_date=due, created_date=when, updated_date=when,
                response=Stage(category_id=visit.id, date=when, requires_acceptance=True)
                if state == "RESPONDED" else None)
            request.refresh_list_keys()
            batch.save(request)
    from chalicelib.core.unique_keys import UniqueKey, claim_key
    UniqueKey(claim_key("counter", "service-request-number"), value=count).save()
    for kind in configuration.KINDS:  # a warm instance: its configuration read and kept
        configuration.entries(kind)


def service_request_endpoints() -> list[tuple[str, str, str, str]]:
    """Every method of the CRM-style API, with a fresh token (read when the table is full)."""
    import json

    from chalicelib.core import auth, tokens
    token, _ = tokens.issue_token(auth.verify_client("demo", "demo-secret"), {"service-requests"})
    base = "/crmapi/rest/v2/service_requests"
    page = f"number_of_results=100&token={token}"
    one = {"token": token, "service_request_identifier": {"number": "SR00000001"}}
    body = json.dumps
    return [
        ("GET", f"{base}/show?service_request_identifier=number=SR00000002&token={token}", "",
         ""),
        ("GET", f"{base}/list?accounts_receivable_identifier=number=01234574&{page}", "", ""),
        ("GET", f"{base}/get_pending?{page}", "", ""),
        ("GET", f"{base}/get_pending?type_identifier=name=Fault&{page}", "", ""),
        ("GET", f"{base}/get_pending?category_identifier=code=HEAT&{page}", "", ""),
        ("GET", f"{base}/get_pending?category_identifier=code=HEAT"
                f"&accounts_receivable_identifier=number=01234574&{page}", "", ""),
        ("GET", f"{base}/get_responded_pending_acceptance?{page}", "", ""),
        ("GET", f"{base}/get_final_resolved?{page}", "", ""),
        ("GET", f"{base}/get_final_resolved_pending_acceptance?{page}", "", ""),
        ("GET", f"{base}/get_completed?{page}", "", ""),
        ("GET", f"{base}/get_close_to_estimated_completion_time?period=1&uot=DAYS&{page}", "",
         ""),
        ("GET", f"{base}/configuration/statuses/list?type_identifier=name=Fault&token={token}",
         "", ""),
        ("POST", f"{base}/create", "application/json", body({
            "token": token, "type_identifier": {"name": "Fault"},
            "accounts_receivable_identifier": {"number": "01234574"},
            "caller_email": "joe.banks@example.net", "caller_phone": "+442079460000",
            "status_identifier": {"name": "Open"},
            "category_identifier": {"code": "HEAT"}, "urgency_level": "URGENCY1",
            "impact_level": "IMPACT1"})),
        ("POST", f"{base}/update", "application/json", body({**one, "notes": "bench"})),
        ("POST", f"{base}/respond", "application/json", body({
            **one, "status_identifier": {"name": "Responded"},
            "response": {"category_identifier": {"name": "Acknowledged"}}})),
        ("POST", f"{base}/final_resolve", "application/json", body({
            **one, "status_identifier": {"name": "Final Resolved"},
            "final_resolution": {"category_identifier": {"name": "Closed Without Fix"}}})),
        ("POST", f"{base}/complete", "application/json", body({
            **one, "status_identifier": {"name": "Completed"}})),
        ("POST", "/crmapi/rest/v2/authentication/token", "application/json", body({
            "username": "demo", "password": "demo-secret", "organisation": "servicedesk"})),
    ]


CASE_STATUSES = ("SUBMITTED", "IN_PROGRESS", "ACTION_REQUIRED", "RESOLVED", "CLOSED",
                 "CANCELLED")


def fill_cases(count: int) -> None:
    """``count`` tickets of the demo customer in every status (11000001 and up), a file, and
    customerReferenceIds shared by count / 500 tickets each."""
    from chalicelib.cases.models import Case, CaseAttachment, StatusChange
    from chalicelib.core import clients, timestamps
    from chalicelib.core.config import settings
    from chalicelib.core.unique_keys import UniqueKey, claim_key
    from local import aws
    start = time.time() - count
    with Case.batch_write() as batch:
        for n in range(count):
            when = timestamps.to_storage(timestamps.from_epoch(start + n))
            number, status = str(11000001 + n), CASE_STATUSES[n % len(CASE_STATUSES)]
            reference = f"REF-{n % 500}"
            batch.save(Case(
                number, case_id=f"bench{n}", version=1, account="01234574",
                account_name="Joseph Banks", client_id="demo", type="TROUBLE", code="0002-0000",
                description=f"ticket {n}", primary_id="SV5", customer_reference_id=reference,
                contacts='[{"type": "NOTIFICATION", "firstName": "F", "lastName": "K", '
                         '"details": [{"type": "EMAIL", "value": "f@example.net"}]}]',
                attachments="[]", status=status,
                status_history=[StatusChange(status=status, at=when)], created=when,
                updated=when, updated_by="Demo client", created_key=f"{when}#{number}",
                account_status=f"01234574#{status}",
                account_reference=f"01234574#{reference}"))
    UniqueKey(claim_key("counter", "case-number"), value=count).save()
    aws.ensure_bucket(settings.attachments_bucket)
    attachment = CaseAttachment("bench-file", account="01234574", name="photo.jpg", size=4,
                                uploaded=timestamps.storage_now(), client_id="demo")
    clients.client("s3").put_object(Bucket=settings.attachments_bucket,
                                    Key=attachment.object_key, Body=b"jpeg")
    attachment.save()


def case_endpoints() -> list[tuple]:
    """Every operation of the Case Management API, with tokens of the demo client and desk."""
    import json

    from chalicelib.core import auth, tokens
    from local import demo
    bearer = {"Authorization": "Bearer " + tokens.issue_token(
        auth.verify_client(*demo.demo_credentials()))[0]}
    desk = {"Authorization": "Bearer " + tokens.issue_token(
        auth.verify_client(*demo.DESK_CREDENTIALS))[0]}
    base, js = "/support/v2", "application/json"
    return [
        ("GET", f"{base}/tickets/11000002", "", "", bearer),
        ("GET", f"{base}/tickets/1-204911000002", "", "", bearer),
        ("GET", f"{base}/tickets?limit=100", "", "", bearer),
        ("GET", f"{base}/tickets?limit=10&offset=50", "", "", bearer),
        ("GET", f"{base}/tickets?status=IN_PROGRESS&limit=100", "", "", bearer),
        ("GET", f"{base}/tickets?customerReferenceId=REF-7&limit=20", "", "", bearer),
        ("GET", f"{base}/tickets?status=SUBMITTED&limit=100 (desk)", "", "", desk),
        ("GET", f"{base}/tickets?limit=100 (desk)", "", "", desk),
        ("POST", f"{base}/tickets", js, json.dumps({
            "code": "0002-0000", "description": "bench", "primaryId": "SV5",
            "customerReferenceId": "BENCH-NEW", "attachments": [{"id": "bench-file"}]}),
         {**bearer, "Idempotency-Key": "bench-create"}),
        ("POST", f"{base}/tickets/11000001/notes", js, json.dumps({"text": "bench"}), bearer),
        ("POST", f"{base}/tickets/11000003/status", js, json.dumps({
            "status": "IN_PROGRESS", "text": "on it"}), desk),
        ("POST", f"{base}/tickets/11000002/cancel", js, json.dumps({"reason": "bench"}),
         bearer),
        ("POST", f"{base}/attachments?name=log.txt", "application/octet-stream", b"log",
         bearer),
        ("POST", f"{base}/attachments/uploads", js, json.dumps({"name": "scan.pdf",
                                                                 "size": 5000000}), bearer),
        ("GET", f"{base}/attachments/bench-file", "", "", bearer),
        # the client's credentials by HTTP Basic (the bench's), the grant in the body
        ("POST", "/oauth2/v1/token", js, json.dumps({"grant_type": "client_credentials"}), {}),
    ]
