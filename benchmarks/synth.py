#!/usr/bin/env python3
"""Synthetic mistake entries for benchmarks: realistic, varied and fully deterministic.

``generate(folder, n, seed)`` writes ``n`` entry files ``NNN-slug.md`` built as
:class:`mistakes.domain.entry.Entry` objects and serialised with the project's own
``new_document(template).render(entry)``, so the files are exactly what the app writes.

Every entry is derived from ``(seed, number)`` alone (its own ``random.Random``), so the
output does not depend on how the work is split between processes; dates (2019-01-01 ..
2026-11-28) also depend on ``n`` because they are spread over the whole range in number
order. About 5% of the entries are recurrences of an earlier entry: same exception line
and stack frames, different line numbers, paths, ids and timestamps, and a link back.

Usage::

    python benchmarks/synth.py --entries 10000 --out /tmp/mistakes-10k [--seed 1234]

or, with ``benchmarks/`` on ``sys.path``, ``from synth import generate``.
"""

# mypy: disable-error-code="import-untyped"
# (``mistakes`` ships no py.typed marker: ``MYPYPATH=src mypy --strict`` checks it fully.)

from __future__ import annotations

import argparse
import os
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from multiprocessing import get_all_start_methods, get_context
from pathlib import Path

_SRC = Path(__file__).resolve().parent.parent / "src"
if _SRC.is_dir() and str(_SRC) not in sys.path:
    sys.path.append(str(_SRC))  # appended: an installed ``mistakes`` still wins

from mistakes.domain.entry import ChecklistItem, Entry  # noqa: E402
from mistakes.domain.naming import entry_filename, parse_entry_filename  # noqa: E402
from mistakes.domain.template import Template  # noqa: E402
from mistakes.storage.document import new_document  # noqa: E402
from mistakes.storage.template_file import load_template  # noqa: E402

__all__ = ["generate", "main"]

FIRST_DAY = date(2019, 1, 1)
LAST_DAY = date(2026, 11, 28)
RECURRENCE_RATE = 0.05
MIN_BYTES = 3000
MAX_BYTES = 8000
_UNSOLVED_SECTIONS = ("fix", "solution_code_changes", "commands_run", "process_changes")
_PARALLEL_FROM = 400  # fewer entries than this are written in-process
_CHUNK = 250

# ---------------------------------------------------------------------------------------------
# Vocabulary. A small text format, parsed once at import:
#   "== name" starts a list; "= a b c" adds one-word items; "- text" is an item (indented
#   lines continue it, joined by a space; "  +" joins without one); consecutive "| text"
#   lines are one multi-line item (a blank line ends it; "|+" continues the line above).
#   "{slot}" is filled per entry (see _Ctx); unknown or upper-case braces stay as they are.
# Error specs: "lang ;; short name ;; exception line ;; calling line ;; lib frames", frames
#   separated by " ## ", each "path :: function :: source" (python), "class :: method ::
#   file" (java), "function :: file" (go), "function :: path" (node). "\n" in the exception
#   line is a line break; "@" before a python path means the standard library.
# ---------------------------------------------------------------------------------------------

_DATA = r"""
== services
= orders-api billing-worker payments-gateway checkout-web search-indexer notifications-service
= auth-service user-profile-api inventory-sync shipping-api reporting-worker export-service
= webhook-dispatcher analytics-ingest pricing-engine catalog-api media-resizer email-sender
= ledger-service fraud-scorer recommendations-api admin-portal mobile-bff scheduler
= audit-log-writer feature-flags tenant-provisioner invoice-renderer subscription-service
= geo-lookup sms-relay warehouse-loader etl-runner customer-portal support-desk-api rate-limiter
= file-uploads pdf-generator session-store identity-proxy

== components
- webhook handler
- invoice exporter
- nightly billing job
- checkout flow
- search reindex job
- password reset flow
- signup form
- CSV import
- PDF renderer
- order sync worker
- admin dashboard
- GraphQL resolver
- payment callback
- refund worker
- report scheduler
- image upload endpoint
- session middleware
- rate limiter
- feature flag client
- audit logger
- tenant migration
- cart service
- coupon validator
- email digest job
- SSO callback
- OAuth token refresh
- data export
- inventory reconciler
- shipping label generator
- subscription renewal job
- customer merge tool
- pricing recalculation
- analytics pipeline
- notification fan-out
- health check endpoint
- settings page
- bulk update endpoint
- API gateway
- cron dispatcher
- ledger reconciliation
- fraud rules engine
- geocoding lookup
- sitemap generator
- thumbnail worker
- search autocomplete
- tax calculation
- webhook retry queue
- user import
- ETL loader
- usage metering job
- dunning emails
- chargeback handler
- address autocomplete
- order history page
- partner sync
- quota enforcement

== partners
- payments
- Stripe
- Adyen
- shipping
- geocoding
- tax
- SMS
- email
- identity provider
- CRM
- ERP
- exchange-rates
- fraud-scoring
- address validation
- maps
- Salesforce
- Twilio
- SendGrid
- Okta
- HubSpot
- PayPal
- carrier tracking
- KYC
- invoicing
- loyalty

== tables
= orders invoices payments users accounts sessions line_items customers subscriptions audit_events
= shipments refunds products inventory_levels price_rules coupons notifications webhook_deliveries
= api_keys tenants ledger_entries exports jobs documents attachments addresses carts cart_items
= feature_flags events reports user_roles permissions tax_rates exchange_rates email_outbox
= search_documents uploads payouts disputes

== queues
= order-events billing.invoices payments.settled email-outbox webhook-deliveries search-reindex
= audit-events user-signups inventory-updates shipment-status notifications.push exports.requested
= celery default high-priority low-priority pdf-render thumbnails fraud-checks ledger-postings
= payouts.scheduled tenant-provisioning

== pkgs
= orders billing payments accounts notifications search inventory shipping reports webhooks auth
= core common integrations exports ledger pricing catalog tenants audit checkout subscriptions
= media fraud

== modules
= views tasks services repository models handlers client serializers utils jobs api consumers
= workers schemas db cache signals routes pipeline sync importer exporter backends adapters

== verbs
= sync fetch load build render send process handle apply resolve compute validate persist refresh
= reconcile dispatch enqueue parse merge export import index charge refund notify schedule upsert
= lookup normalize serialize retry settle allocate expire archive prune hydrate authorize
= transform publish

== nouns
= invoice invoices order orders payment payload user users account session batch event events
= webhook customer tenant report line_items cart coupon shipment refund token credentials profile
= settings rates prices inventory stock address ledger entries document attachment thumbnail
= export subscription plan quota usage metrics permissions roles signature callback message
= records rows chunk page cursor snapshot dispute payout label receipt notification digest feed

== class_nouns
= Invoice Order Payment Customer Account Webhook Ledger Shipment Refund Subscription Tenant Report
= Export Catalog Pricing Inventory Notification Session Token Cart Coupon Payout Dispute Audit
= Usage

== class_suffixes
= Service Repository Client Handler Worker Manager Serializer Validator Controller Processor
= Gateway Scheduler Publisher Consumer Resolver

== reporters
- Priya N.
- Marco R.
- Aisha K.
- Tomás G.
- Lena W.
- Kenji S.
- Olu A.
- Sven L.
- Mei C.
- Diego F.
- Hannah B.
- Rafael M.
- Ines P.
- Yusuf D.
- Chloe T.
- Arjun V.
- Fatima Z.
- Noah E.
- Sofia R.
- Lukas H.
- Amara O.
- Jonas K.
- Elif Y.
- Mateo S.
- Grace L.
- Ravi P.
- Zoe M.
- Ahmed H.
- mk
- jlee

== teams
= platform payments billing growth search data SRE mobile identity checkout infra integrations

== customer_heads
= North Blue Silver Iron Bright Red Green Stone Swift Oak Cedar Harbor Summit Lumen Atlas Nova
= Pioneer Vertex Maple Falcon Cobalt Granite Willow Orbit Sterling

== customer_tails
- wind Logistics
- field Retail
- gate Health
- lane Foods
- water Energy
- ridge Insurance
- point Media
- brook Labs
- stone Capital
- line Travel
- works Manufacturing
- star Telecom
- bay Pharmacy
- peak Outdoor
- view Realty
- mark Analytics
- side Clinics
- crest Motors

== plans
= Free Starter Team Business Enterprise Pro Growth

== envs
- production
- staging
- eu-west-1
- us-east-1
- the canary
- preprod
- the EU cluster
- ap-southeast-2
- a dedicated tenant cluster
- the DR region

== regions
= eu-west-1 eu-central-1 us-east-1 us-west-2 ap-southeast-2 ap-northeast-1 sa-east-1

== alert_sources
- PagerDuty
- Opsgenie
- a Grafana alert
- the Datadog monitor
- a Sentry spike alert
- an Alertmanager page
- a customer ticket
- the status page checker
- a Slack report from support
- the synthetic checkout probe

== dashboards
- the service overview dashboard
- the RED dashboard
- the database health board
- the queue lag dashboard
- the ingress latency heatmap
- the pod resources board
- the SLO burn-rate panel
- the Kafka consumer board

== whens
- after deploy of {ver}
- during the nightly backfill
- on Black Friday
- after the {db_any} upgrade
- after the Kubernetes 1.{k8s_minor} upgrade
- during region failover
- after certificate rotation
- under peak load
- after enabling HTTP/2
- after moving to Python 3.{py_minor}
- after a dependency bump
- during end-of-month billing
- after the {region} migration
- during the {customer} onboarding
- after switching to {lib_any}
- in {envname} only
- after the {flag} rollout
- during the load test
- after the schema change in {pr}
- on the first day of the month

== dbs_any
- PostgreSQL 13
- PostgreSQL 15
- PostgreSQL 16
- MySQL 8.0
- Redis 7.2
- MongoDB 6.0
- Aurora PostgreSQL
- SQLite 3.45

== libs_any
- SQLAlchemy 2.0
- asyncpg
- psycopg 3
- httpx
- aiohttp
- gunicorn gevent workers
- uvicorn
- Celery 5
- pydantic v2
- the new Redis client
- Node 20
- Java 21 virtual threads
- Go 1.22
- the new ORM layer

== flags
= new_checkout_flow async_invoicing bulk_exports_v2 smart_retries ledger_double_entry
= search_v3_ranking batched_webhooks multi_currency sso_enforcement fast_path_pricing
= inline_tax_quotes lazy_loading_cart streaming_reports regional_routing

== tools_all
- `pg_stat_activity` and `pg_locks`
- `EXPLAIN (ANALYZE, BUFFERS)`
- `redis-cli --latency` and `INFO memory`
- `kubectl describe pod` and `kubectl get events`
- `kubectl logs --previous`
- Grafana dashboards
- Sentry issue grouping
- `py-spy dump` on a live worker
- `strace -f -e trace=network`
- `tcpdump` on the node
- `openssl s_client -connect`
- `dig` and `nslookup`
- `curl -v --resolve`
- `git bisect`
- `pytest -x --lf -p no:randomly`
- Datadog APM traces
- `jstack` thread dumps
- `go tool pprof`
- Chrome DevTools network tab
- `kafka-consumer-groups --describe`
- RabbitMQ management UI
- `celery inspect active`
- `terraform state list`
- `helm history`
- `docker buildx --progress=plain`
- `mtr` and `traceroute`
- `ss -tnp`
- `lsof -p`
- OpenTelemetry traces
- the load balancer access logs
- CloudWatch Logs Insights
- `journalctl -u`

== refs_all
= https://www.postgresql.org/docs/current/runtime-config-client.html
= https://www.postgresql.org/docs/current/explicit-locking.html
= https://docs.sqlalchemy.org/en/20/core/pooling.html
= https://docs.sqlalchemy.org/en/20/orm/session_basics.html
= https://redis.io/docs/latest/develop/reference/eviction/
= https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
= https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/
= https://helm.sh/docs/helm/helm_rollback/
= https://developer.hashicorp.com/terraform/language/state/locking
= https://docs.celeryq.dev/en/stable/userguide/tasks.html#retrying
= https://kafka.apache.org/documentation/#consumerconfigs https://www.rabbitmq.com/docs/confirms
= https://docs.python.org/3/library/asyncio-task.html
= https://docs.python.org/3/library/zoneinfo.html https://nodejs.org/api/errors.html
= https://go.dev/doc/effective_go#maps https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS
= https://letsencrypt.org/docs/certificate-compatibility/
= https://sre.google/sre-book/addressing-cascading-failures/
= https://github.com/brettwooldridge/HikariCP/wiki/About-Pool-Sizing
= https://stackoverflow.com/questions/{so_id} https://github.com/acme/{service}/issues/{issue_no}
= https://github.com/acme/{service}/pull/{issue_no} https://wiki.acme.internal/runbooks/{service}
= https://acme.slack.com/archives/C0{slack}/p{slack_ts}

== logs_pre
- {ts} INFO  [{service}] request_id={uuid} method={method} path={endpoint} client={ip}
- {ts} WARN  [{service}] slow request: {endpoint} took {ms_slow} ms (threshold 1000 ms)
  request_id={uuid}
- {ts} INFO  [{service}] worker pid={pid} picked up job {uuid} (attempt {n}/5)
- {ts} DEBUG [{service}] acquired connection <Connection at {hex}> from pool (checked out: {n})
- {ts} WARN  [{service}] retrying {partner} call in {ms} ms (attempt {n}) trace_id={tid}
- {ts} INFO  [{service}] consumer joined group {queue}-consumers generation={n2} member={uuid}
- {ts} ERROR [{service}] unhandled exception in {component} request_id={uuid} user={big}
- {ts} WARN  [{service}] upstream {ip}:{port} responded {status5xx} in {ms} ms
- {ts} INFO  [{service}] deployed image {sha} on node ip-{ipd}.{region}.compute.internal
- {ts} ERROR [{service}] job {uuid} failed after {ms} ms, moving to retry queue

== logs_post
- {ts} ERROR [{service}] request_id={uuid} responded 500 in {ms} ms
- {ts} WARN  [{service}] circuit breaker for {partner} opened after {n} consecutive failures
- {ts} INFO  [{service}] health check failed: 503 from {ip}:{port}
- {ts} ERROR [{service}] giving up on job {uuid} after 5 attempts
- {ts} WARN  [{service}] event loop blocked for {ms} ms (task {hex})
- {ts} INFO  [{service}] pool stats: size={n} checked_out={n} overflow={n} waiting={n2}
- {ts} ERROR [{service}] dropped message offset={big} partition={n} key={uuid}
- {ts} WARN  [{service}] memory usage {mb} MiB exceeds soft limit
- {ip} - - [{clf}] "{method} {endpoint} HTTP/1.1" 502 157 "-" "okhttp/4.12.0" rt={sec}

== again
- {exc} again in {component}
- {exc} recurred on {service} {when}
- Recurrence of {exc} in {service}
- {exc} back in {envname} after {flag} change
- {exc} in {component} (again, {month_name})
- Same {exc} in {service2}, different trigger

== happened
- At {hhmm} UTC {alert_source} fired for {service}: the error rate on {endpoint} went from
  under 0.1% to {pct}% within {minutes} minutes.
- The on-call engineer ({reporter2}) was paged at {hhmm} UTC and found {service} returning
  HTTP {status5xx} for roughly {pct}% of requests.
- Support escalated tickets from {customer} ({plan} plan) who could not use the {component}
  for about {minutes} minutes.
- The incident started {minutes} minutes after {ver} reached {envname}; {dashboard} showed
  p99 latency climbing from {ms_small} ms to {sec} s.
- Nobody noticed at first because the failures were retried silently; the backlog only
  surfaced when {queue} lag passed {big} messages.
- It affected {tenants} tenants in {region} and was declared a SEV-{sev_no} at {hhmm} UTC
  (incident channel #inc-{ticket_lower}).
- The problem was intermittent: about one run in {n} failed, which made the first hour of
  debugging frustrating.
- Our synthetic probe caught it before customers did, but only in {region}; other regions
  were healthy.
- The same symptom had been seen twice in {envname} during the previous sprint and
  dismissed as noise.
- The {team} team noticed when the weekly report from {service2} came out empty for
  {customer}.

== expected
- Requests to {endpoint} complete in under {ms_small} ms and never return a 5xx.
- The {component} processes each item exactly once, even when a worker restarts midway.
- A deploy of {service} is invisible to users: old pods keep serving until new ones are
  ready.
- {service} degrades gracefully when {partner} is slow: cached data and a clear message
  instead of an error page.
- The nightly run finishes before 06:00 UTC and the {table} table is consistent with
  {table2}.
- Retries are idempotent; a retried request never produces a second {noun} record.
- Configuration is the same in every environment except for the values in the secrets
  store.
- The job is safe to run concurrently with normal traffic.

== actual
- {pct}% of requests failed with HTTP {status5xx}; the rest were slow (p95 {sec} s).
- Workers crashed and restarted in a loop; {big} items were left unprocessed in {queue}.
- {n2} {table} rows were written twice and {n} were missing their {noun}.
- The error appeared in the logs every few seconds, always with the same stack trace.
- Users saw a blank page and a spinner that never stopped; the API calls behind it timed
  out after {sec} s.
- Only requests touching {table} failed; reads from the cache kept working, which hid the
  problem for a while.
- The process exited with code {exit_code} and no useful log line before it.
- Some tenants were fine and others failed every time, depending on their data.

== repro
- Check out {ver} and start the stack with `docker compose up -d`.
- Seed the database with `make seed TENANTS={n}`.
- Enable the `{flag}` feature flag for the test tenant.
- Send {n2} requests per second to `{endpoint}` with `k6 run load/{pkg}.js`.
- Run `pytest tests/{pkg}/test_{module}.py -k {func} -p no:randomly`.
- Restart one worker while the job is running (`kubectl delete pod -l app={service}`).
- Add {ms} ms of latency to the database with toxiproxy.
- Point `{partner_env}_URL` at a stub that answers after {sec} s.
- Import the sample file `fixtures/{customer_slug}.csv` through the {component}.
- Wait about {minutes} minutes; the error appears in the worker logs.

== diagnosis
- We first suspected a slow query, but database CPU was at {pct_low}% and there were no
  long-running statements.
- The timing lined up with the deploy of {ver}, so the first guess was a bad release.
- It looked like a network problem between {region} and the database, because only one
  availability zone was affected at first.
- Our first theory was that {partner} was degraded; their status page said otherwise.
- Because the stack trace ended in library code, we initially blamed the {lib_any} upgrade.
- At first it looked like a capacity problem and we scaled {service} from {n} to {n2}
  replicas, which did not help.
- The error message pointed at {table}, so we checked recent migrations on that table
  first.
- We assumed a flaky test runner until the same failure showed up in {envname}.

== steps
- Compared the failing and healthy pods with `kubectl describe` and diffed their
  environment variables.
- Rolled back to {ver_prev} at {hhmm} UTC to stop the bleeding; errors dropped within
  {n} minutes.
- Searched Sentry for the first occurrence of the exception: it started at {hhmm} UTC.
- Reproduced it locally with production-like data from the anonymised snapshot.
- Ran `git bisect` between {ver_prev} and {ver}; the first bad commit was {sha}.
- Added debug logging around `{func}` and redeployed one canary pod.
- Took a thread dump of a stuck worker; all threads were waiting in the same call.
- Checked {dashboard}: the problem started before the deploy, not after it.
- Read the library changelog for the version bump in {pr}.
- Tried increasing the timeout to {sec} s, which only made the failures slower.
- Disabled the `{flag}` flag for half of the tenants to confirm it was involved.
- Paired with the {team} team to go through the {component} code path line by line.

== why
- The code assumed a value that is optional in practice, and nothing validated it at the
  boundary.
- The failure path was never exercised in tests: every test used the happy path with a
  fast, healthy dependency.
- A default that was safe at our old traffic level ({n2} req/s) became unsafe at today's
  volume.
- Two pieces of configuration that must change together were defined in different
  repositories.
- Retries without backoff turned a short blip into a sustained overload.
- The change in {pr} was reviewed, but the reviewer could not see the caller in
  `{pkg}/{module}.py` that relied on the old behaviour.

== factors
- No alert on the leading indicator, only on the final error rate.
- The runbook for {service} was last updated in {old_year} and pointed to a dashboard that
  no longer exists.
- Staging has {pct_low}% of production's data volume, so the problem never showed there.
- Logs were sampled at 10%, so the first occurrences were missing.
- The on-call engineer was new to {service} and the owning team ({team}) was offline.
- Error messages were swallowed by a broad `except Exception` in `{func}`.
- A retry storm from {service2} amplified the load.
- The feature flag `{flag}` changed behaviour in two places at once.
- Nobody owned the shared configuration in `deploy/values-{envkey}.yaml`.
- The dependency was pinned with `>=`, so the minor upgrade came in silently.

== fix
- Patched `{func}` to handle the missing case explicitly and return a clear error instead
  of crashing.
- Added a timeout and a bounded retry with exponential backoff and jitter around the
  {partner} call.
- Moved the work into an idempotent task keyed by `{noun}_id`, so a retry cannot create a
  duplicate.
- Released {ver_next} with the fix and replayed the failed items from the dead-letter
  queue.
- Wrote a one-off script to repair the {n2} affected {table} rows, reviewed by two people.
- Made the configuration a single source of truth in the Helm chart and removed the
  override in the deploy pipeline.

== code_generic
| ```python
| # Before (broken)
| def {func}({arg}):
|     data = {callee}({arg})
|     return data["{key}"]
|
| # After (fixed)
| def {func}({arg}):
|     data = {callee}({arg})
|     if "{key}" not in data:
|         log.warning("{func}: no {key} in response", extra={{"{arg}": {arg}}})
|         raise Missing{cls}Error({arg})
|     return data["{key}"]
| ```

| ```python
| # Before
| resp = requests.post(url, json=payload)
|
| # After: bounded time, bounded retries, idempotent
| resp = session.post(
|     url,
|     json=payload,
|     timeout=({n}, {n2}),
|     headers={{"Idempotency-Key": payload["{noun}_id"]}},
| )
| resp.raise_for_status()
| ```

| ```diff
| --- a/{pkg}/{module}.py
| +++ b/{pkg}/{module}.py
| @@ -{line},7 +{line},9 @@ class {cls}:
|      def {func}(self, {arg}):
| -        rows = self.db.query({table_model}).filter_by(tenant_id={arg}.tenant_id).all()
| +        rows = (
| +            self.db.query({table_model})
| +            .filter_by(tenant_id={arg}.tenant_id)
| +            .yield_per({n2})
| +        )
|          for row in rows:
|              self.{callee}(row)
| ```

| ```python
| @retry(
|     retry=retry_if_exception_type(({exc_type},)),
|     wait=wait_exponential_jitter(initial=0.5, max={n}),
|     stop=stop_after_attempt(5),
|     reraise=True,
| )
| def {func}({arg}):
|     with {cls}(timeout={n}) as client:
|         return client.{callee}({arg})
| ```

| ```diff
| -    @app.task(bind=True)
| +    @app.task(bind=True, acks_late=True, autoretry_for=({exc_type},),
| +              retry_backoff=True, retry_jitter=True, max_retries=5)
|      def {func}(self, {noun}_id):
| -        {noun} = {cls}.objects.get(id={noun}_id)
| +        {noun} = {cls}.objects.select_for_update(skip_locked=True).get(id={noun}_id)
| ```

| ```python
| # After: one session per unit of work, always closed
| def {func}({arg}):
|     with Session.begin() as session:
|         {noun} = session.get({table_model}, {arg})
|         if {noun} is None:
|             raise NotFound(f"{noun} {{{arg}}} does not exist")
|         session.add({cls}Event({noun}_id={noun}.id, kind="{verb}"))
| ```

== commands_generic
- git revert --no-edit {sha} && git push origin main
- pytest tests/{pkg} -q -x --lf
- pip install -U "{pylib}=={pylib_ver}"
- make deploy ENV={envkey} VERSION={ver_next}
- curl -sS -o /dev/null -w '%{{http_code}} %{{time_total}}\n' https://{domain}{endpoint}
- python -m {pkg}.scripts.repair_{table} --dry-run --since {day}
- python -m {pkg}.scripts.repair_{table} --apply --since {day}
- gh pr create --title "Fix {exc_plain} in {component}" --base main
- docker compose logs --since 30m {service} | grep -c ERROR
- grep -c "{exc_type}" /var/log/{service}/app.log

== prev_code
- Validate `{noun}` payloads at the API boundary with a schema instead of trusting callers.
- Add a regression test for the failure path of `{func}` with a slow and a failing
  dependency.
- Ban bare `except Exception:` in `{pkg}/` with a ruff rule (BLE001).
- Wrap every outbound HTTP call in the shared client that enforces timeouts.
- Make `{func}` idempotent and assert it in a property-based test.
- Type-check `{pkg}` with mypy `--strict` in CI.
- Add a contract test against the {partner} sandbox.
- Log the `{noun}_id` and request id with every error so incidents can be correlated.

== process
- Deploys of {service} go through a 20-minute canary with automatic rollback on error rate.
- Every incident review produces at least one test, not only a fix.
- Dependency bumps are merged one library at a time, with the changelog linked in the PR.
- Load tests run weekly against staging with production-shaped data.
- On-call handover includes the list of in-flight risky changes.
- Schema changes to hot tables need a DBA review and a lock-timeout in the migration.
- Runbooks are reviewed every quarter by the owning team.
- Feature flags are removed within two sprints of reaching 100%.

== monitoring
- Alert when the error rate of {endpoint} exceeds 1% for 5 minutes.
- Alert on {queue} consumer lag above {big} messages.
- Dashboard panel for pool checkout time and waiting requests per pod.
- Synthetic check of the {component} every minute from two regions.
- Page when the certificate expiry for {domain} is less than 14 days away.
- Track p99 latency of {partner} calls with a burn-rate SLO.

== verify
- Re-ran the reproduction against {ver_next} for {minutes} minutes: no errors.
- Replayed {big} production requests from the access log against staging.
- Ran the full regression suite and the new test `test_{func}_failure_path`.
- Watched {dashboard} for 24 hours after the canary.
- Killed workers at random during the load test to check idempotency.

== results
- Error rate back to baseline (< 0.05%) within {minutes} minutes of the deploy.
- p99 latency back to {ms_small} ms.
- No duplicate {table} rows after {n2} forced retries.
- The new alert fired correctly in a game-day exercise.
- One flaky test remains, tracked in {ticket}.

== affected
- {service} and everything behind `{endpoint}`
- The {component} and its consumers in {service2}
- Reports built from the {table} table
- The {queue} queue and its dead-letter queue
- Mobile clients older than 4.{n}

== user_impact
- About {pct}% of {plan} customers saw errors for {minutes} minutes.
- {big} failed requests; {n2} orders had to be re-submitted by support.
- No data loss; some notifications were delayed by up to {minutes} minutes.
- {customer} missed a reporting deadline and received a service credit.
- Degraded search results for {minutes} minutes; checkout was unaffected.

== learned
- Timeouts are a feature: every network call needs one, and the caller must handle it.
- A fix without a test for the failure path is only half a fix.
- Dashboards showed the problem early; nobody was looking at the right panel.
- Staging that does not look like production gives false confidence.
- Retries need budgets, or they turn a blip into an outage.
- Small config defaults matter more at scale than most code changes.
- Writing down the timeline during the incident saved hours in the review.
- Rolling back first and debugging second is almost always right.

== gaps
- How {lib_any} behaves under load was not understood by the team.
- No one knew who owned the {component}.
- The failure modes of {partner} were not documented anywhere.
- Database locking behaviour during migrations.
- How our Helm charts map to the running configuration.

== deps
- Upstream issue in {pylib}: https://github.com/{pylib}/{pylib}/issues/{issue_no}
- Waiting on {partner} to raise our rate limit.
- Platform team's base image upgrade ({ticket}).
- Migration of {table} to the new schema ({ticket}).

== followups
- Add an alert on {queue} consumer lag
- Backfill the {n2} skipped {table} rows
- Remove the `{flag}` flag once the fix is at 100%
- Write the runbook section for {component}
- Upgrade {pylib} to {pylib_ver} everywhere
- Review timeouts of all {partner} calls
- Add a load test for {endpoint}

== config_generic
| ```bash
| DATABASE_URL=postgresql://{service_u}@{host}:5432/{pkg}
| DB_POOL_SIZE={n}
| REDIS_URL=redis://redis-{pkg}.internal:6379/0
| {partner_env}_TIMEOUT_SECONDS={n}
| FEATURE_{flag_upper}=true
| LOG_LEVEL=INFO
| ```

| ```bash
| ENVIRONMENT={envkey}
| WEB_CONCURRENCY={n}
| GUNICORN_TIMEOUT={sec}
| CELERY_BROKER_URL=amqp://{service_u}@rabbitmq.internal:5672/{pkg}
| SENTRY_TRACES_SAMPLE_RATE=0.1
| ```

| ```yaml
| # deploy/values-{envkey}.yaml
| replicaCount: {n}
| resources:
|   requests: {{cpu: 500m, memory: 512Mi}}
|   limits: {{memory: {mem_limit}Mi}}
| env:
|   {partner_env}_BASE_URL: https://api.{partner_slug}.com
| ```

== config_changes
| ```yaml
| # deploy/values-{envkey}.yaml
| env:
| -  {partner_env}_TIMEOUT_SECONDS: "60"
| +  {partner_env}_TIMEOUT_SECONDS: "{n}"
|   DB_POOL_SIZE: "{n}"
| ```

| ```bash
| # .env
| DB_POOL_PRE_PING=true
| DB_POOL_RECYCLE=1800
|
| # requirements.txt
| {pylib}=={pylib_ver}
| ```

| ```ini
| # postgresql.conf
| idle_in_transaction_session_timeout = 60s
| lock_timeout = 5s
| statement_timeout = {sec}s
| ```

# ---------------------------------------------------------------------------------------------
# Families: each a kind of incident with its own titles, errors and details.
# ---------------------------------------------------------------------------------------------

== db_pool.tags
= database postgres mysql performance deployment

== db_pool.titles
- Connection pool exhausted on {service} after {ver}
- Pool exhausted in {component} after {ver}
- {db} refused {service} {ver} connections
- {component} {ver} opened too many {db} clients
- Pool timeouts in {component} {ver} on {service}
- {service} {ver} starved of DB connections by {component}
- {component} {ver}: {exc}
- Leaked sessions in {func} exhausted the {service} pool

== db_pool.err
- py ;; QueuePool limit reached ;; sqlalchemy.exc.TimeoutError: QueuePool limit of size {n}
  overflow {n} reached, connection timed out, timeout 30.00 (Background on this error at:
  https://sqlalche.me/e/20/3o7r) ;; return self.session.execute(stmt).scalars().all() ;;
  sqlalchemy/orm/session.py :: execute :: return self._execute_internal( ##
  sqlalchemy/pool/base.py :: connect :: return _ConnectionFairy._checkout(self) ##
  sqlalchemy/pool/impl.py :: _do_get :: raise exc.TimeoutError(
- py ;; too many clients ;; django.db.utils.OperationalError: FATAL:  sorry, too many clients
  already ;; for row in qs.iterator(chunk_size=2000): ;; django/db/backends/base/base.py ::
  ensure_connection :: self.connect() ## django/db/backends/postgresql/base.py ::
  get_new_connection :: connection = self.Database.connect(**conn_params) ##
  psycopg2/__init__.py :: connect :: conn = _connect(dsn, connection_factory=connection_factory,
  **kwasync)
- py ;; psycopg2 connection refused ;; psycopg2.OperationalError: could not connect to server:
  Connection refused\n\tIs the server running on host "{host}" ({ipfix}) and accepting\n\tTCP/IP
  connections on port 5432? ;; conn = self.pool.getconn() ;; psycopg2/pool.py :: getconn ::
  return self._getconn(key) ## psycopg2/pool.py :: _connect :: conn = psycopg2.connect(*self._args,
  **self._kwargs)
- py ;; remaining connection slots reserved ;; asyncpg.exceptions.TooManyConnectionsError:
  remaining connection slots are reserved for non-replication superuser connections ;; async
  with self.pool.acquire() as conn: ;; asyncpg/pool.py :: _acquire_impl :: await
  ch.connect() ## asyncpg/connect_utils.py :: _connect_addr :: return await
  __connect_addr(params, timeout, True, *args)
- java ;; Hikari connection not available ;; java.sql.SQLTransientConnectionException:
  HikariPool-1 - Connection is not available, request timed out after 30000ms. ;; ;;
  org.springframework.jdbc.datasource.DataSourceUtils :: fetchConnection ::
  DataSourceUtils.java ## com.zaxxer.hikari.HikariDataSource :: getConnection ::
  HikariDataSource.java ## com.zaxxer.hikari.pool.HikariPool :: getConnection ::
  HikariPool.java ## com.zaxxer.hikari.pool.HikariPool :: createTimeoutException ::
  HikariPool.java
- go ;; too many connections ;; panic: failed to open db: pq: sorry, too many clients already ;;
  ;; database/sql.(*DB).PingContext :: /usr/local/go/src/database/sql/sql.go ##
  database/sql.(*DB).conn :: /usr/local/go/src/database/sql/sql.go

== db_pool.happened
- From {hhmm} UTC, {minutes} minutes after {ver} rolled out, {service} returned HTTP 500 on
  roughly {pct}% of requests and p99 latency went to the pool timeout (30 s).
- Every pod of {service} had all of its pooled connections checked out and requests queued
  until they failed.
- The {component} opened a connection per item instead of per batch, and the database hit
  `max_connections` during the {when_plain}.

== db_pool.expected
- With {n} pods x `pool_size={n}` we stay well below `max_connections = {conn_limit}` on the
  primary, and a request holds a connection for a few milliseconds.

== db_pool.actual
- `pg_stat_activity` showed {n3} sessions from `{service_u}`, most of them `idle in
  transaction`, and new connections were refused.

== db_pool.diagnosis
- The many `idle in transaction` sessions pointed at the application holding connections,
  not at a slow database.

== db_pool.steps
- Queried `pg_stat_activity` grouped by `state` and `application_name`; {n3} sessions were
  `idle in transaction` with the same last query on {table}.
- Doubled the pool size on staging: the exhaustion came a few minutes later, so it was a leak
  rather than undersizing.

== db_pool.why
- A session opened in `{func}` was only closed on the happy path; when {partner} raised, the
  connection stayed checked out inside an open transaction. Each such request leaked one
  connection.
- Each of the {n2} Celery workers created its own engine with the default pool, so the
  total number of connections grew with every scale-up until the database refused more.

== db_pool.context
| orders=> SELECT state, count(*) FROM pg_stat_activity WHERE usename = '{service_u}' GROUP BY 1;
|         state        | count
| ---------------------+-------
|  active              |     {n}
|  idle                |     {n}
|  idle in transaction |   {n3}
| (3 rows)

| {tsl} UTC [{pid}] FATAL:  remaining connection slots are reserved for non-replication
|+ superuser connections
| {tsl} UTC [{pid}] FATAL:  sorry, too many clients already
| {tsl} UTC [{pid}] LOG:  checkpoint complete: wrote {big} buffers

== db_pool.code
| ```diff
|  def {func}(self, {arg}):
| -    session = Session()
| -    rows = session.execute(select({table_model}).where({table_model}.id == {arg})).all()
| -    session.close()
| +    with Session() as session:  # closed on every path, including exceptions
| +        rows = session.execute(select({table_model}).where({table_model}.id == {arg})).all()
|      return rows
| ```

| ```python
| engine = create_engine(
|     settings.DATABASE_URL,
|     pool_size={n},
|     max_overflow={n},
|     pool_timeout=10,
|     pool_pre_ping=True,
|     pool_recycle=1800,
| )
| ```

== db_pool.commands
- psql "$ADMIN_URL" -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE state =
  'idle in transaction' AND state_change < now() - interval '5 minutes';"
- psql "$ADMIN_URL" -c "SELECT state, count(*) FROM pg_stat_activity GROUP BY 1;"
- kubectl -n {ns} rollout undo deployment/{service}
- kubectl -n {ns} rollout status deployment/{service} --timeout=5m

== db_pool.learned
- `idle in transaction` in `pg_stat_activity` almost always means an application leak.
- Increasing the pool size hides leaks; it does not fix them.
- Set `idle_in_transaction_session_timeout` on every database.

== db_lock.tags
= database postgres sqlite migration concurrency

== db_lock.titles
- Deadlock between {component} and {component2}
- Migration on {table} locked {service} writes for {minutes} min
- Lock wait timeouts on {table} in {service} {ver}
- database is locked errors in {func} tests
- Long transaction in {component} blocked {table} updates
- Deadlock on {table} in {component} after {ver}
- {exc} in {service} migration {ver}

== db_lock.err
- py ;; DeadlockDetected ;; psycopg2.errors.DeadlockDetected: deadlock detected\nDETAIL:
  Process {pid} waits for ShareLock on transaction {big}; blocked by process {pid}.\nHINT:  See
  server log for query details. ;; session.flush() ;; sqlalchemy/orm/session.py :: flush ::
  self._flush(objects) ## sqlalchemy/engine/default.py :: do_execute :: cursor.execute(statement,
  parameters)
- py ;; LockNotAvailable ;; psycopg2.errors.LockNotAvailable: canceling statement due to lock
  timeout ;; op.add_column("{table}", sa.Column("{col}", sa.Text(), nullable=False,
  server_default="")) ;; alembic/operations/ops.py :: add_column :: return
  operations.invoke(op) ## sqlalchemy/engine/default.py :: do_execute ::
  cursor.execute(statement, parameters)
- py ;; database is locked ;; sqlite3.OperationalError: database is locked ;; conn.execute("INSERT
  INTO {table} (id, payload) VALUES (?, ?)", row) ;; @sqlite3/__init__.py :: execute :: return
  self._execute(sql, parameters)
- py ;; Lock wait timeout exceeded ;; pymysql.err.OperationalError: (1205, 'Lock wait timeout
  exceeded; try restarting transaction') ;; cursor.execute(UPDATE_SQL, params) ;;
  pymysql/cursors.py :: execute :: result = self._query(query) ## pymysql/connections.py ::
  _read_packet :: packet.raise_for_error()
- java ;; CannotAcquireLockException ;; org.springframework.dao.CannotAcquireLockException:
  could not execute statement; SQL [n/a]; nested exception is
  org.hibernate.exception.LockAcquisitionException ;; ;;
  org.hibernate.engine.jdbc.spi.SqlExceptionHelper :: convert :: SqlExceptionHelper.java ##
  org.hibernate.internal.SessionImpl :: flush :: SessionImpl.java

== db_lock.happened
- The migration adding a column to {table} took an `ACCESS EXCLUSIVE` lock and waited behind
  a long-running report query; every write to {table} queued behind it for {minutes} minutes.
- Two code paths updated {table} and {table2} in opposite order; under load they deadlocked
  several times a minute.

== db_lock.why
- The {component} locked {table} rows in id order while the {component2} locked them in
  created_at order, so concurrent transactions could wait on each other.
- The migration ran without `lock_timeout`, so it queued for the lock and every later
  statement queued behind it.

== db_lock.steps
- Looked at `pg_locks` joined with `pg_stat_activity` to see who was waiting on whom.
- Enabled `log_lock_waits` and found the two statements involved in the server log.

== db_lock.context
| {tsl} UTC [{pid}] ERROR:  deadlock detected
| {tsl} UTC [{pid}] DETAIL:  Process {pid} waits for ShareLock on transaction {big}; blocked
|+ by process {pid}.
| 	Process {pid} waits for ShareLock on transaction {big}; blocked by process {pid}.
| {tsl} UTC [{pid}] CONTEXT:  while updating tuple ({n2},{n}) in relation "{table}"
| {tsl} UTC [{pid}] STATEMENT:  UPDATE {table} SET status = 'settled' WHERE id = {big}

| blocked_pid | blocking_pid |   wait_event  | blocked_query
| ------------+--------------+---------------+------------------------------------------
|       {pid} |        {pid} | relation      | ALTER TABLE {table} ADD COLUMN {col} text
|       {pid} |        {pid} | transactionid | UPDATE {table} SET updated_at = now() ...

== db_lock.code
| ```python
| def upgrade() -> None:
|     op.execute("SET lock_timeout = '3s'")
|     op.add_column("{table}", sa.Column("{col}", sa.Text(), nullable=True))
|     # backfill in batches outside the migration, then add NOT NULL with a validated CHECK
| ```

| ```diff
| -    for row in session.query({table_model}).filter({table_model}.id.in_(ids)):
| +    for row in (
| +        session.query({table_model})
| +        .filter({table_model}.id.in_(ids))
| +        .order_by({table_model}.id)  # same lock order everywhere
| +        .with_for_update()
| +    ):
| ```

== db_lock.commands
- psql "$ADMIN_URL" -c "SELECT pid, pg_blocking_pids(pid), query FROM pg_stat_activity WHERE
  wait_event_type = 'Lock';"
- psql "$ADMIN_URL" -c "ALTER SYSTEM SET log_lock_waits = on; SELECT pg_reload_conf();"
- alembic upgrade head --sql > /tmp/migration.sql
- pytest -p xdist -n 4 tests/{pkg} -x

== db_lock.learned
- Every migration on a hot table sets `lock_timeout` and retries.
- Lock ordering is part of the API of a table: document it next to the model.

== db_data.tags
= database mongodb mysql data-loss migration

== db_data.titles
- Duplicate key on {table} after {component} retry
- {customer} import into {table} fails on encoding
- NULL {col} values broke {component} in {service}
- Unscoped UPDATE on {table} from {component}
- Replica lag served stale {table} to {component}
- {exc} in {table} from {service} {when}
- {component} wrote duplicate {table} rows for {customer_short}

== db_data.err
- py ;; UniqueViolation ;; psycopg2.errors.UniqueViolation: duplicate key value violates unique
  constraint "{table}_{col}_key"\nDETAIL:  Key ({col})=({big}) already exists. ;;
  session.commit() ;; sqlalchemy/orm/session.py :: commit :: trans.commit(_to_root=True) ##
  sqlalchemy/engine/default.py :: do_execute :: cursor.execute(statement, parameters)
- py ;; UnicodeDecodeError ;; UnicodeDecodeError: 'utf-8' codec can't decode byte 0xe9 in
  position {n3}: invalid continuation byte ;; for record in csv.DictReader(stream): ;;
  @csv.py :: __next__ :: row = next(self.reader) ## @codecs.py :: decode :: (result, consumed) =
  self._buffer_decode(data, self.errors, final)
- py ;; NotNullViolation ;; psycopg2.errors.NotNullViolation: null value in column "{col}" of
  relation "{table}" violates not-null constraint ;; session.bulk_save_objects(batch) ;;
  sqlalchemy/orm/session.py :: bulk_save_objects :: self._bulk_save_mappings(
- py ;; DuplicateKeyError ;; pymongo.errors.DuplicateKeyError: E11000 duplicate key error
  collection: app.{table} index: {col}_1 dup key: {{ {col}: "{big}" }} ;;
  self.collection.insert_one(doc) ;; pymongo/collection.py :: insert_one :: self._insert_one(
  ## pymongo/helpers.py :: _check_command_response :: raise DuplicateKeyError(errmsg, code,
  response, max_wire_version)
- node ;; MongoServerError E11000 ;; MongoServerError: E11000 duplicate key error collection:
  app.{table} index: {col}_1 dup key: {{ {col}: "{big}" }} ;; ;;
  InsertOneOperation.execute :: node_modules/mongodb/lib/operations/insert.js ##
  process.processTicksAndRejections :: node:internal/process/task_queues

== db_data.happened
- A retry of the {component} re-sent a batch that had already been committed, and the
  second insert failed on the unique constraint halfway through, leaving the batch partly
  applied.
- The import for {customer} stopped at row {n3} of {big}; the file was Latin-1, not UTF-8.
- A manual data fix ran an `UPDATE` without the `WHERE tenant_id = ...` clause on {table}.

== db_data.why
- The writer was not idempotent: the natural key ({col}) was unique in the database but the
  code always inserted instead of upserting.
- We assumed every customer file is UTF-8; nothing checked the encoding before parsing.
- Reads went to a replica that was {sec} s behind the primary during the batch job.

== db_data.code
| ```python
| stmt = insert({table_model}).values(rows)
| stmt = stmt.on_conflict_do_update(
|     index_elements=[{table_model}.{col}],
|     set_={{"updated_at": func.now(), "payload": stmt.excluded.payload}},
| )
| session.execute(stmt)
| ```

| ```python
| raw = upload.read()
| try:
|     text = raw.decode("utf-8")
| except UnicodeDecodeError:
|     guess = charset_normalizer.from_bytes(raw).best()
|     if guess is None:
|         raise ImportRejected("cannot tell the file's encoding")
|     text = str(guess)
| ```

== db_data.commands
- psql "$DATABASE_URL" -c "SELECT {col}, count(*) FROM {table} GROUP BY 1 HAVING count(*) > 1;"
- pg_restore --data-only --table={table} -d restore_tmp /backups/{day}.dump
- file -i fixtures/{customer_slug}.csv
- mongosh "$MONGO_URL" --eval 'db.{table}.getIndexes()'

== db_data.learned
- Writers must be idempotent; the database constraint is the last line of defence.
- Never run a manual UPDATE or DELETE without a transaction and a row count check.

== redis.tags
= redis caching performance timeout

== redis.titles
- Redis evicting {noun} keys on {service} under allkeys-lru
- Stale DNS kept {service} {ver} on old Redis primary
- Redis timeouts in {component} on {service}
- {component} {ver}: Redis OOM command not allowed
- Cache stampede on {component} after {noun} keys expired
- {exc} from {service} in {component}
- {service} cache hit rate collapsed after {ver}

== redis.err
- py ;; redis ConnectionError ;; redis.exceptions.ConnectionError: Error 111 connecting to
  redis-{pkg}.internal:6379. Connection refused. ;; cached = self.redis.get(key) ;;
  redis/client.py :: execute_command :: conn = self.connection or pool.get_connection(command_name,
  **options) ## redis/connection.py :: connect :: raise ConnectionError(self._error_message(e))
- py ;; Redis OOM command not allowed ;; redis.exceptions.ResponseError: OOM command not allowed
  when used memory > 'maxmemory'. ;; self.redis.setex(key, ttl, payload) ;; redis/client.py ::
  parse_response :: response = connection.read_response() ## redis/connection.py ::
  read_response :: raise response
- py ;; Redis read timeout ;; redis.exceptions.TimeoutError: Timeout reading from socket ;;
  return self.redis.hgetall(key) ;; redis/connection.py :: read_response :: response =
  self._parser.read_response(disable_decoding=disable_decoding) ## redis/_parsers/socket.py ::
  _read_from_socket :: raise TimeoutError("Timeout reading from socket")
- node ;; ECONNREFUSED 6379 ;; Error: connect ECONNREFUSED {ipfix}:6379 ;; ;;
  TCPConnectWrap.afterConnect [as oncomplete] :: node:net

== redis.happened
- Users were logged out at random: session keys were evicted because `maxmemory-policy` was
  `allkeys-lru` and the {noun} cache had grown to fill the instance.
- After the Redis primary failed over, {service} kept talking to the old primary (now a
  replica) for {minutes} minutes and every write failed with `READONLY`.

== redis.why
- Sessions and cache shared one Redis instance with an eviction policy meant for a cache.
- The client resolved the primary's DNS name once at start-up and never again.

== redis.context
| $ redis-cli -h redis-{pkg}.internal INFO memory | egrep 'used_memory_human|maxmemory'
| used_memory_human:{gb}G
| maxmemory_human:{gb}G
| maxmemory_policy:allkeys-lru
| $ redis-cli -h redis-{pkg}.internal INFO stats | grep evicted_keys
| evicted_keys:{big}

== redis.code
| ```python
| pool = redis.BlockingConnectionPool.from_url(
|     settings.REDIS_URL,
|     max_connections={n2},
|     timeout=2,
|     socket_timeout=0.5,
|     health_check_interval=30,
| )
| ```

== redis.commands
- redis-cli -h redis-{pkg}.internal --latency-history -i 5
- redis-cli -h redis-{pkg}.internal CONFIG SET maxmemory-policy volatile-lru
- redis-cli -h redis-{pkg}.internal --bigkeys
- kubectl -n {ns} rollout restart deployment/{service}

== redis.learned
- Sessions and caches need separate Redis instances (or at least separate policies).
- Clients must re-resolve DNS and reconnect on `READONLY` errors after a failover.

== k8s.tags
= kubernetes deployment docker helm memory config

== k8s.titles
- {service} {ver} pods in CrashLoopBackOff after {env_var} rename
- {service} {ver} OOMKilled building {noun} export
- Helm rollback of {service} {ver} stuck in pending-upgrade
- ImagePullBackOff for {service} {ver}
- Readiness probe failures on {service} during {ver} rollout
- {service} {ver} deploy pulled a stale image
- {service} {ver} evicted under memory pressure
- {exc} in {service} {ver} pods

== k8s.err
- py ;; KeyError {env_var} ;; KeyError: '{env_var}' ;; DATABASE_URL = os.environ["{env_var}"] ;;
  @os.py :: __getitem__ :: raise KeyError(key) from None
- py ;; MemoryError ;; MemoryError ;; rows = list(query.all()) ;; sqlalchemy/engine/result.py ::
  all :: return self._allrows() ## sqlalchemy/engine/result.py :: _allrows :: rows =
  self._fetchall_impl()
- go ;; nil map assignment ;; panic: assignment to entry in nil map ;; ;;
- node ;; JavaScript heap out of memory ;; FATAL ERROR: Reached heap limit Allocation failed -
  JavaScript heap out of memory ;; ;; JSON.stringify :: <anonymous>

== k8s.happened
- After the deploy of {ver}, new pods of {service} started, crashed within seconds and went
  into `CrashLoopBackOff`; the old ReplicaSet kept serving at half capacity.
- The {component} pods were killed with exit code 137 (`OOMKilled`) while building the
  monthly export for {customer}.
- `helm upgrade` was interrupted by a cancelled CI job and the release was left in
  `pending-upgrade`, so every later deploy and rollback failed.

== k8s.why
- The variable was renamed in the chart but the application still read the old name.
- The export loaded all {table} rows into memory; the largest tenant needs {gb} GiB with a
  {mem_limit} MiB limit.
- Killing Helm mid-upgrade leaves the release Secret in `pending-upgrade` and Helm refuses
  further operations until it is cleared.

== k8s.context
| $ kubectl -n {ns} describe pod {service}-{podhash}
|     State:          Waiting
|       Reason:       CrashLoopBackOff
|     Last State:     Terminated
|       Reason:       {k8s_reason}
|       Exit Code:    {exit_code}
|     Restart Count:  {n2}
| Events:
|   Warning  BackOff    {n}m (x{n2} over {minutes}m)  kubelet  Back-off restarting failed container
|   Warning  Unhealthy  {n}m (x{n} over {n}m)     kubelet  Readiness probe failed: HTTP probe
|+ failed with statuscode: 503

| $ helm -n {ns} history {service} --max 3
| REVISION  UPDATED                   STATUS           CHART                 DESCRIPTION
| {n2}      {ctime}  superseded       {service}-{ver_plain}   Upgrade complete
| {n2}      {ctime}  pending-upgrade  {service}-{ver_plain}   Preparing upgrade
| Error: another operation (install/upgrade/rollback) is in progress

== k8s.code
| ```yaml
| # charts/{service}/values.yaml
| resources:
|   requests:
|     cpu: 250m
|     memory: {mem_limit}Mi
|   limits:
|     memory: {mem_limit2}Mi
| readinessProbe:
|   httpGet: {{path: /healthz/ready, port: 8080}}
|   periodSeconds: 5
|   failureThreshold: 6
| ```

| ```diff
| -DATABASE_URL = os.environ["{env_var}"]
| +try:
| +    DATABASE_URL = os.environ["DATABASE_URL"]
| +except KeyError:
| +    raise SystemExit("DATABASE_URL is not set; see deploy/README.md") from None
| ```

== k8s.commands
- kubectl -n {ns} get pods -l app={service} -o wide
- kubectl -n {ns} logs deploy/{service} --previous --tail=200
- kubectl -n {ns} get events --sort-by=.lastTimestamp | tail -30
- helm -n {ns} rollback {service} {n2} --wait --timeout 5m
- kubectl -n {ns} delete secret sh.helm.release.v1.{service}.v{n2}
- kubectl top pod -n {ns} --containers

== k8s.learned
- Configuration renames need a compatibility window where both names work.
- `helm upgrade --atomic` and never cancelling production deploy jobs.
- Memory limits must come from measurements of the biggest tenant, not the average.

== ci.tags
= ci testing flaky-test setup docker terraform python

== ci.titles
- distutils ModuleNotFoundError in {service} {ver} CI
- Flaky test_{func} fails in CI
- Terraform lock left by {service} run {pr}
- Docker build for {service} {ver} fails on {pylib}
- Nightly {component} tests in {service} fail near midnight UTC
- Resolver backtracking in {service} build {pr}
- CI cache served stale {pylib} wheels to {service} {ver}
- {exc} in {service} {ver} tests

== ci.err
- py ;; ModuleNotFoundError distutils ;; ModuleNotFoundError: No module named 'distutils' ;;
  from distutils.version import LooseVersion ;; @importlib/__init__.py :: import_module ::
  return _bootstrap._gcd_import(name[level:], package, level)
- py ;; AssertionError in test ;; AssertionError: assert {n2} == {n3} ;; assert
  len(result.{noun}) == expected ;; _pytest/python.py :: pytest_pyfunc_call :: result =
  testfunction(**testargs)
- py ;; ImportError soft_unicode ;; ImportError: cannot import name 'soft_unicode' from
  'markupsafe' ;; from jinja2 import Environment ;; jinja2/__init__.py :: <module> :: from
  .environment import Environment
- py ;; pytest timeout ;; asyncio.exceptions.CancelledError ;; await
  asyncio.wait_for(client.{callee}(), timeout=5) ;; @asyncio/tasks.py :: wait_for :: return
  await fut

== ci.happened
- The CI pipeline for {service} started failing on every branch after the runner image moved
  to a new Python; nothing in our code had changed.
- `test_{func}` failed in about one run in {n}; it never failed locally.
- The deploy job was cancelled while `terraform apply` held the state lock, and every later
  pipeline failed to acquire it.

== ci.why
- A transitive dependency still imported `distutils`, which was removed from the standard
  library in Python 3.12.
- The test depended on wall-clock time and the order of tests; with pytest-randomly it
  failed whenever another test left a frozen clock behind.
- CI used `cancel-in-progress: true` for the production workflow, copied from the preview
  workflow.

== ci.context
| Error: Error acquiring the state lock
|
| Error message: ConditionalCheckFailedException: The conditional request failed
| Lock Info:
|   ID:        {uuid}
|   Path:      acme-terraform-state/{service}/terraform.tfstate
|   Operation: OperationTypeApply
|   Who:       runner@gha-{rid}
|   Version:   1.{n}.{n}
|   Created:   {tsl} +0000 UTC

| #12 [build 6/9] RUN pip install --no-cache-dir -r requirements.txt
| #12 {sec} ERROR: Could not find a version that satisfies the requirement {pylib}=={pylib_ver}
| #12 {sec} ERROR: No matching distribution found for {pylib}=={pylib_ver}
| ERROR: failed to solve: process "/bin/sh -c pip install --no-cache-dir -r requirements.txt"
|+ did not complete successfully: exit code: 1

== ci.code
| ```diff
|  # .github/workflows/deploy-prod.yml
|  concurrency:
|    group: deploy-prod
| -  cancel-in-progress: true
| +  cancel-in-progress: false  # never kill a running deploy
| ```

| ```python
| @pytest.fixture(autouse=True)
| def _frozen_clock():
|     with time_machine.travel("{day} 12:00:00+00:00", tick=False) as traveller:
|         yield traveller
| ```

== ci.commands
- terraform force-unlock -force {uuid}
- pip install "setuptools>=69" && pip check
- pytest -p no:randomly -p pytest_repeat --count 200 tests/{pkg}/test_{module}.py
- docker buildx build --no-cache --progress=plain -t {service}:{sha} .
- gh run rerun {big} --failed

== ci.learned
- Pin the CI runner image and upgrade it deliberately, like any other dependency.
- Tests must control time explicitly; a fixture beats `datetime.now()` everywhere.

== net.tags
= networking dns tls proxy timeout security

== net.titles
- TLS handshake timeouts from {service} {ver} to {partner}
- TLS cert expired on {component} {ver} gateway
- DNS failures resolving {partner_slug} from {service} in {region}
- 502s from ingress to {service} after {ver}
- {component} uploads to {service} hang over VPN (MTU)
- {service} {ver} build: pip install times out behind proxy
- {service} {ver} serves incomplete TLS chain for {domain}
- {exc} calling {partner} from {component}

== net.err
- py ;; ConnectTimeout to partner ;; requests.exceptions.ConnectTimeout:
  HTTPSConnectionPool(host='api.{partner_slug}.com', port=443): Max retries exceeded with url:
  /v1/{noun} (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at
  {hexfix}>, 'Connection to api.{partner_slug}.com timed out. (connect timeout=10)')) ;; resp =
  self.http.post(url, json=payload, timeout=10) ;; requests/sessions.py :: request :: resp =
  self.send(prep, **send_kwargs) ## requests/adapters.py :: send :: raise ConnectTimeout(e,
  request=request)
- py ;; CERTIFICATE_VERIFY_FAILED ;; ssl.SSLCertVerificationError: [SSL:
  CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:1006) ;;
  async with self.client.stream("GET", url) as resp: ;; httpx/_transports/default.py ::
  handle_async_request :: resp = await self._pool.handle_async_request(req) ## @ssl.py ::
  do_handshake :: self._sslobj.do_handshake()
- py ;; name resolution failure ;; socket.gaierror: [Errno -3] Temporary failure in name
  resolution ;; conn = http.client.HTTPSConnection(host, timeout=5) ;; @socket.py :: getaddrinfo
  :: for res in _socket.getaddrinfo(host, port, family, type, proto, flags):
- py ;; httpx ReadTimeout ;; httpx.ReadTimeout: The read operation timed out ;; response = await
  client.get(url, params=params) ;; httpx/_client.py :: send :: response = await
  self._send_handling_auth( ## httpx/_transports/default.py :: map_httpcore_exceptions :: raise
  mapped_exc(message) from exc
- py ;; ProxyError 407 ;; urllib3.exceptions.ProxyError: ('Unable to connect to proxy',
  OSError('Tunnel connection failed: 407 Proxy Authentication Required')) ;;
  session.get(index_url, timeout=15) ;; urllib3/connectionpool.py :: urlopen :: raise
  new_e
- java ;; SSLHandshakeException PKIX ;; javax.net.ssl.SSLHandshakeException: PKIX path building
  failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid
  certification path to requested target ;; ;; sun.security.ssl.Alert :: createSSLException ::
  Alert.java ## sun.security.ssl.TransportContext :: fatal :: TransportContext.java
- go ;; TLS handshake timeout ;; panic: Post "https://api.{partner_slug}.com/v2/{noun}": net/http:
  TLS handshake timeout ;; ;; net/http.(*Client).do :: /usr/local/go/src/net/http/client.go
- node ;; getaddrinfo ENOTFOUND ;; Error: getaddrinfo ENOTFOUND api.{partner_slug}.com ;; ;;
  GetAddrInfoReqWrap.onlookup [as oncomplete] :: node:dns

== net.happened
- Calls from {service} to the {partner} API started failing with TLS handshake timeouts at
  {hhmm} UTC; about {pct}% of checkouts in {region} failed.
- The certificate of the internal gateway expired on a Saturday; every service calling it
  failed certificate verification.
- Uploads above about {mb} MiB hung forever when sent from the office network over the VPN.

== net.why
- The renewal job renewed the certificate but the ingress kept serving the old one from a
  Secret that was not reloaded.
- Path MTU discovery was broken because ICMP "fragmentation needed" packets were dropped by
  the firewall, so large packets vanished silently.
- The egress proxy limited concurrent TLS tunnels per client IP, and all pods shared one NAT
  IP.

== net.context
| $ openssl s_client -connect {domain}:443 -servername {domain} </dev/null 2>/dev/null
|+ | openssl x509 -noout -dates -issuer
| notBefore=Jan 12 00:00:00 {old_year} GMT
| notAfter={month_name} 14 23:59:59 {year} GMT
| issuer=C = US, O = Let's Encrypt, CN = R3
| verify error:num=10:certificate has expired

| $ dig +short api.{partner_slug}.com @{ipfix}
| ;; communications error to {ipfix}#53: timed out
| ;; no servers could be reached
| $ curl -v --max-time 10 https://api.{partner_slug}.com/health
| *   Trying {ip}:443...
| * Connected to api.{partner_slug}.com ({ip}) port 443
| * TLSv1.3 (OUT), TLS handshake, Client hello (1):
| * Operation timed out after 10001 milliseconds with 0 bytes received

| {tsl} [error] {pid}#{pid}: *{big} upstream timed out (110: Connection timed out) while
|+ reading response header from upstream, client: {ip}, server: {domain}, request:
|+ "POST {endpoint} HTTP/1.1", upstream: "http://{ip}:8000{endpoint}"

== net.code
| ```python
| TIMEOUT = httpx.Timeout(connect=3.0, read=10.0, write=10.0, pool=2.0)
| client = httpx.AsyncClient(
|     base_url=settings.{partner_env}_BASE_URL,
|     timeout=TIMEOUT,
|     limits=httpx.Limits(max_connections={n2}, max_keepalive_connections={n}),
|     transport=httpx.AsyncHTTPTransport(retries=2),
| )
| ```

| ```yaml
| # cert-manager Certificate
| spec:
|   secretName: {service}-tls
|   renewBefore: 720h  # 30 days
|   dnsNames: [{domain}]
| ```

== net.commands
- openssl s_client -connect {domain}:443 -servername {domain} -showcerts </dev/null
- dig +trace api.{partner_slug}.com
- curl -sv --resolve api.{partner_slug}.com:443:{ip} https://api.{partner_slug}.com/health
- ping -M do -s 1472 {ip}
- kubectl -n {ns} rollout restart deployment/ingress-nginx-controller
- tracepath {ip}

== net.learned
- Certificate expiry needs an alert that does not depend on the renewal job working.
- Every outbound call needs a connect timeout well below the request timeout.
- Dropping ICMP breaks path MTU discovery; allow "fragmentation needed".

== pyapp.tags
= python api sdk setup performance

== pyapp.titles
- {exc} in {component} on {service}
- {exc} when {verb_ing} {noun} for {plan} tenants
- PicklingError when {service} sends {func} to a process pool
- Event loop blocked by {func} in {service}
- RecursionError serialising {noun} in {service} {ver}
- {exc} in {service} {ver} after {pylib} upgrade
- {component} returns 500 on empty {noun} list in {service}
- {exc} in {func}

== pyapp.err
- py ;; KeyError '{key}' ;; KeyError: '{key}' ;; {noun}_id = payload["{key}"] ;;
- py ;; AttributeError on None ;; AttributeError: 'NoneType' object has no attribute '{attr}' ;;
  return {noun}.{attr}.lower() ;;
- py ;; TypeError NoneType operand ;; TypeError: unsupported operand type(s) for +: 'int' and
  'NoneType' ;; total = sum(item.quantity for item in items) + extra ;;
- py ;; Decimal not JSON serializable ;; TypeError: Object of type Decimal is not JSON
  serializable ;; return json.dumps(payload) ;; @json/__init__.py :: dumps :: return
  _default_encoder.encode(obj) ## @json/encoder.py :: default :: raise TypeError(f'Object of
  type {o.__class__.__name__} '
- py ;; ValueError invalid literal ;; ValueError: invalid literal for int() with base 10: '' ;;
  page = int(request.args.get("page", 1)) ;;
- py ;; RecursionError ;; RecursionError: maximum recursion depth exceeded while calling a Python
  object ;; return {{k: self.{callee}(v) for k, v in value.items()}} ;;
- py ;; PicklingError ;; _pickle.PicklingError: Can't pickle <function
  {cls}.{func}.<locals>.<lambda> at {hexfix}>: attribute lookup <lambda> on {pkg}.{module}
  failed ;; futures = [pool.submit(fn, chunk) for chunk in chunks] ;;
  @concurrent/futures/process.py :: _sendback_result :: result_queue.put(_ResultItem(work_id,
  result=result, ## @multiprocessing/queues.py :: _feed :: obj = _ForkingPickler.dumps(obj)
- py ;; pydantic ValidationError ;; pydantic_core._pydantic_core.ValidationError: 1 validation
  error for {cls}In\n{col}\n  Input should be a valid decimal [type=decimal_type,
  input_value=None, input_type=NoneType] ;; body = {cls}In.model_validate(raw) ;;
  pydantic/main.py :: model_validate :: return cls.__pydantic_validator__.validate_python(
- py ;; JSONDecodeError from partner ;; json.decoder.JSONDecodeError: Expecting value: line 1
  column 1 (char 0) ;; data = resp.json() ;; requests/models.py :: json :: raise
  RequestsJSONDecodeError(e.msg, e.doc, e.pos) ## @json/decoder.py :: raw_decode :: raise
  JSONDecodeError("Expecting value", s, err.value) from None
- py ;; Too many open files ;; OSError: [Errno 24] Too many open files:
  '/tmp/{service}/{uuidfix}.pdf' ;; with open(path, "wb") as fh: ;;

== pyapp.happened
- The {component} crashed on {noun} records created by the new mobile client, which omits
  the `{key}` field when it is empty.
- Requests that touched {noun} objects from migrated tenants failed with a 500 because the
  migrated rows have NULL in a column the code treats as required.
- The async worker stopped answering health checks for seconds at a time while `{func}`
  ran a synchronous SDK call on the event loop.

== pyapp.why
- The handler indexed the payload with `payload["{key}"]`, assuming the field is always
  present; the schema marks it optional.
- `{func}` returned `None` when the lookup missed, and the caller used the result without a
  check.
- A blocking call inside `async def {func}` froze the whole event loop, so every other
  request on that worker waited.

== pyapp.code
| ```diff
| -    {noun}_id = payload["{key}"]
| +    {noun}_id = payload.get("{key}")
| +    if {noun}_id is None:
| +        return JSONResponse({{"error": "{key} is required"}}, status_code=422)
| ```

| ```python
| # Before: blocks the event loop
| async def {func}({arg}):
|     return boto3_client.get_object(Bucket=BUCKET, Key={arg})
|
| # After
| async def {func}({arg}):
|     return await asyncio.to_thread(boto3_client.get_object, Bucket=BUCKET, Key={arg})
| ```

== pyapp.commands
- python -X dev -m {pkg}.{module} --debug
- py-spy dump --pid $(pgrep -f "{service}" | head -1)
- python -c "import {pylib}; print({pylib}.__version__)"
- ruff check {pkg}/ --select BLE,B

== pyapp.learned
- Optional fields are optional: code against the schema, not against the sample payload.
- Never call blocking I/O inside `async def`; use `asyncio.to_thread` or an async client.

== frontend.tags
= frontend javascript react api

== frontend.titles
- TypeError reading '{attr}' in {component} after {ver}
- Hydration mismatch on {component} page after {ver}
- ChunkLoadError on {component} after {ver}
- CORS errors from {domain} to {service} on {noun} calls
- Blank {component} page in Safari {safari_ver} for {plan} users
- Infinite re-render loop in {component} {noun} widget
- {exc} in {service} frontend after {ver}

== frontend.err
- node ;; TypeError reading '{attr}' ;; TypeError: Cannot read properties of undefined (reading
  '{attr}') ;; ;; Layer.handle [as handle_request] :: node_modules/express/lib/router/layer.js
  ## process.processTicksAndRejections :: node:internal/process/task_queues
- node ;; Maximum call stack size ;; RangeError: Maximum call stack size exceeded ;; ;;
  renderWithHooks :: node_modules/react-dom/cjs/react-dom.development.js ## updateFunctionComponent
  :: node_modules/react-dom/cjs/react-dom.development.js
- node ;; JSON parse of HTML ;; SyntaxError: Unexpected token '<', "<!DOCTYPE "... is not valid
  JSON ;; ;; JSON.parse :: <anonymous> ## process.processTicksAndRejections ::
  node:internal/process/task_queues
- node ;; ChunkLoadError ;; ChunkLoadError: Loading chunk {n3} failed.\n(error:
  https://{domain}/_next/static/chunks/{n3}.{sha}.js) ;; ;; __webpack_require__.f.j ::
  static/chunks/webpack.js
- node ;; Hydration failed ;; Error: Hydration failed because the initial UI does not match what
  was rendered on the server. ;; ;; throwOnHydrationMismatch ::
  node_modules/react-dom/cjs/react-dom.development.js

== frontend.happened
- After {ver} went out, users who had the app open got a blank {component} page on their
  next navigation; the browser console showed the error below.
- The {component} widget crashed for accounts without a default {noun}; the API returns
  `null` there and the component read a property of it.

== frontend.why
- Old HTML referenced chunk hashes that the deploy deleted from the CDN.
- The component destructured `{noun}.{attr}` before the data had loaded.
- Date formatting used the browser's locale on the client and UTC on the server.

== frontend.code
| ```diff
| -  const {attr} = {noun}.{attr};
| +  const {attr} = {noun}?.{attr} ?? null;
| +  if ({attr} === null) return <EmptyState kind="{noun}" />;
| ```

| ```js
| window.addEventListener("error", (event) => {{
|   if (/Loading chunk \d+ failed/.test(event.message)) {{
|     window.location.reload();
|   }}
| }});
| ```

== frontend.commands
- npm ci && npm run build -- --profile
- npx playwright test tests/{pkg}.spec.ts --project=webkit
- aws s3 sync out/_next/static s3://{bucket}/_next/static --size-only
- curl -sI https://{domain}/_next/static/chunks/{n3}.{sha}.js | head -1

== frontend.learned
- Keep old static assets for at least a day after a deploy.
- Treat API nulls as normal states in the UI, with an empty state for each.

== queue.tags
= kafka rabbitmq celery queue concurrency

== queue.titles
- {queue} consumers stuck rebalancing after {ver}
- Celery {func} tasks ran twice after worker restart
- Unacked {noun} messages piled up on {queue} in {service}
- Poison {noun} message blocked {queue} for {minutes} minutes
- Duplicate {noun} emails from {component} retries on {service}
- Consumer lag on {queue} after {service} {ver}
- {exc} in {queue} consumer {ver}

== queue.err
- py ;; CommitFailedError rebalance ;; kafka.errors.CommitFailedError: CommitFailedError: Commit
  cannot be completed since the group has already rebalanced and assigned the partitions to
  another member. ;; self.consumer.commit() ;; kafka/consumer/group.py :: commit ::
  self._coordinator.commit_offsets_sync(offsets) ## kafka/coordinator/consumer.py ::
  commit_offsets_sync :: raise future.exception
- py ;; SoftTimeLimitExceeded ;; celery.exceptions.SoftTimeLimitExceeded: SoftTimeLimitExceeded()
  ;; for {noun} in self.{callee}(batch): ;; celery/app/trace.py :: trace_task :: R = retval =
  fun(*args, **kwargs) ## billiard/pool.py :: soft_timeout_sighandler :: raise
  SoftTimeLimitExceeded()
- py ;; pika StreamLostError ;; pika.exceptions.StreamLostError: Stream connection lost:
  ConnectionResetError(104, 'Connection reset by peer') ;; channel.basic_ack(delivery_tag=tag)
  ;; pika/adapters/blocking_connection.py :: _flush_output :: raise self._closed_result.value.error
- py ;; kombu OperationalError ;; kombu.exceptions.OperationalError: [Errno 104] Connection reset
  by peer ;; {func}.apply_async(args=({noun}.id,), countdown=30) ;; celery/app/task.py ::
  apply_async :: return app.send_task( ## kombu/connection.py :: _reraise_as_library_errors ::
  raise ConnectionError(str(exc)) from exc
- java ;; Kafka TimeoutException ;; org.apache.kafka.common.errors.TimeoutException: Expiring
  {n2} record(s) for {queue}-{n}:120001 ms has passed since batch creation ;; ;;
  org.apache.kafka.clients.producer.internals.Sender :: sendProducerData :: Sender.java
- go ;; consumer rebalance panic ;; panic: kafka: error while consuming {queue}/{n}: kafka
  server: The provided member is not known in the current generation ;; ;;
  github.com/IBM/sarama.(*consumerGroup).Consume ::
  /go/pkg/mod/github.com/!i!b!m/sarama/consumer_group.go

== queue.happened
- Consumer lag on {queue} climbed to {big} messages; the consumers were rebalancing every
  few minutes and reprocessing the same offsets.
- Customers received two or three copies of the same {noun} email after the workers were
  restarted during a deploy.
- One malformed message was retried forever, and because prefetch was 1 the queue behind it
  stopped moving.

== queue.why
- Processing a batch took longer than `max.poll.interval.ms`, so the broker considered the
  consumer dead and rebalanced.
- Tasks used `acks_late=True` without being idempotent, so a restart redelivered work that
  had already been done.
- There was no dead-letter queue and no retry limit for the consumer.

== queue.context
| $ kafka-consumer-groups --bootstrap-server kafka:9092 --describe --group {queue}-consumers
| GROUP                TOPIC        PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG     CONSUMER-ID
| {queue}-consumers    {queue}      0          {big}           {big}           {big}
|+   consumer-{n}-{uuid}
| {queue}-consumers    {queue}      1          {big}           {big}           {big}   -
| {queue}-consumers    {queue}      2          {big}           {big}           {big}   -

| $ rabbitmqctl list_queues name messages_ready messages_unacknowledged consumers
| {queue}	{big}	{n3}	{n}
| {queue}.dlq	0	0	0

== queue.code
| ```python
| consumer = KafkaConsumer(
|     "{queue}",
|     group_id="{queue}-consumers",
|     enable_auto_commit=False,
|     max_poll_records={n2},
|     max_poll_interval_ms=600_000,
| )
| ```

| ```python
| @app.task(bind=True, acks_late=True, max_retries=5)
| def {func}(self, {noun}_id: int) -> None:
|     key = f"{func}:{{{noun}_id}}"
|     if not redis.set(key, "1", nx=True, ex=86_400):
|         return  # already done: redelivery after a restart
|     send_{noun}_email({noun}_id)
| ```

== queue.commands
- kafka-consumer-groups --bootstrap-server kafka:9092 --group {queue}-consumers --reset-offsets
  --to-datetime {day}T00:00:00.000 --topic {queue} --execute
- celery -A {pkg} inspect active
- celery -A {pkg} purge -Q {queue}
- rabbitmqadmin get queue={queue} count=5 ackmode=reject_requeue_true

== queue.learned
- At-least-once delivery means every consumer must be idempotent.
- Every queue needs a dead-letter queue and a bounded retry count.

== jvm.tags
= java memory performance api

== jvm.titles
- NullPointerException in {cls_name} on {service}
- OutOfMemoryError in {service} during {noun} batch for {customer_short}
- Thread pool starvation in {service} {when}
- Jackson fails to parse {partner} {noun} dates in {service}
- GC pauses over {sec} s on {service} after {ver}
- {exc} in {service} {component}

== jvm.err
- java ;; NullPointerException ;; java.lang.NullPointerException: Cannot invoke
  "com.acme.{pkg}.{cls_name}.get{attr_cap}()" because "{noun_camel}" is null ;; ;;
- java ;; OutOfMemoryError heap ;; java.lang.OutOfMemoryError: Java heap space ;; ;;
  java.util.Arrays :: copyOf :: Arrays.java ## java.util.ArrayList :: grow :: ArrayList.java
- java ;; SocketTimeoutException ;; java.net.SocketTimeoutException: Read timed out ;; ;;
  java.net.SocketInputStream :: socketRead0 :: SocketInputStream.java ##
  org.apache.http.impl.io.SessionInputBufferImpl :: fillBuffer :: SessionInputBufferImpl.java
- java ;; MismatchedInputException ;; com.fasterxml.jackson.databind.exc.MismatchedInputException:
  Cannot deserialize value of type `java.time.Instant` from String "{day} 24:00": Failed to
  deserialize java.time.Instant ;; ;; com.fasterxml.jackson.databind.ObjectMapper ::
  readValue :: ObjectMapper.java
- java ;; RejectedExecutionException ;; java.util.concurrent.RejectedExecutionException: Task
  java.util.concurrent.FutureTask@{hexshort} rejected from
  java.util.concurrent.ThreadPoolExecutor@{hexshort}[Running, pool size = {n}, active threads
  = {n}, queued tasks = 1000, completed tasks = {big}] ;; ;;
  java.util.concurrent.ThreadPoolExecutor :: reject :: ThreadPoolExecutor.java

== jvm.happened
- {service} started answering {status5xx} for {noun} requests from {plan} accounts; the logs
  showed the exception below on every failing request.
- The batch job ran out of heap at about {pct}% progress; the pod restarted and started the
  batch again from the beginning.

== jvm.why
- `find{cls_short}()` returns `null` for accounts created before the migration, and the
  caller dereferenced it directly.
- The job collected the whole result set into a list before writing the output.

== jvm.code
| ```diff
| -    var total = {noun_camel}.get{attr_cap}().add(fee);
| +    var total = Optional.ofNullable({noun_camel})
| +        .map({cls_name}::get{attr_cap})
| +        .orElse(BigDecimal.ZERO)
| +        .add(fee);
| ```

== jvm.commands
- jcmd $(pgrep -f {service}) GC.heap_info
- jstack $(pgrep -f {service}) > /tmp/{service}-threads.txt
- kubectl -n {ns} set env deployment/{service} JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75"

== jvm.learned
- Container memory limits and JVM heap settings must be set together.
- Null is a legitimate value from older data; the type system does not protect us there.

== golang.tags
= go concurrency api performance

== golang.titles
- nil pointer dereference in {service} {func}
- concurrent map writes crash {service} {component}
- Goroutine leak in {service} {component}
- index out of range in {func} on empty {noun} list
- context deadline exceeded from {service} {ver} to {partner}
- {exc} in {service} after {ver}

== golang.err
- go ;; nil pointer dereference ;; panic: runtime error: invalid memory address or nil pointer
  dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x{addr} pc=0x{pc}] ;; ;;
  net/http.HandlerFunc.ServeHTTP :: /usr/local/go/src/net/http/server.go ##
  net/http.(*conn).serve :: /usr/local/go/src/net/http/server.go
- go ;; concurrent map writes ;; fatal error: concurrent map writes ;; ;;
  sync.(*WaitGroup).Wait :: /usr/local/go/src/sync/waitgroup.go
- go ;; index out of range ;; panic: runtime error: index out of range [0] with length 0 ;; ;;
  net/http.(*conn).serve :: /usr/local/go/src/net/http/server.go
- go ;; context deadline exceeded ;; panic: rpc error: code = DeadlineExceeded desc = context
  deadline exceeded ;; ;; google.golang.org/grpc.(*ClientConn).Invoke ::
  /go/pkg/mod/google.golang.org/grpc@v1.{n2}.0/call.go

== golang.happened
- {service} pods restarted {n2} times in an hour; each restart dropped the in-flight
  requests and the load balancer returned {status5xx} to clients.
- Memory of {service} grew steadily by about {mb} MiB per hour until the pods were
  OOMKilled; the goroutine count kept rising.

== golang.why
- The client struct was constructed without its HTTP client when the config had no
  `{partner_env}_URL`, and the first call dereferenced nil.
- A map shared between goroutines was written without a mutex.
- Each request started a goroutine that waited on a channel nobody closed when the client
  disconnected.

== golang.code
| ```diff
|  func (c *Client) Fetch(ctx context.Context, id string) (*{cls_name}, error) {{
| -	resp, err := c.http.Do(req)
| +	if c.http == nil {{
| +		return nil, errors.New("{pkg}: client not configured")
| +	}}
| +	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
| +	defer cancel()
| +	resp, err := c.http.Do(req.WithContext(ctx))
| ```

== golang.commands
- go test -race ./internal/{pkg}/...
- curl -s localhost:6060/debug/pprof/goroutine?debug=1 | head -50
- go tool pprof -top http://localhost:6060/debug/pprof/heap

== golang.learned
- Run tests with `-race` in CI; it would have caught this in minutes.
- Every goroutine needs a way to end: a context, a closed channel or a timeout.

== timebug.tags
= timezone testing python data-loss

== timebug.titles
- {component} cron on {service} ran twice when clocks fell back
- Flaky test_{func} fails between 23:00 and 00:00 UTC
- {component} {ver} used local time instead of UTC
- ZoneInfoNotFoundError for {tz_legacy} in {func}
- {customer} {noun} reports off by one day after DST
- Leap day broke {component} expiry in {service}
- {exc} in {func}

== timebug.err
- py ;; ZoneInfoNotFoundError ;; zoneinfo._common.ZoneInfoNotFoundError: 'No time zone found with
  key {tz_legacy}' ;; tz = ZoneInfo({noun}.timezone) ;; @zoneinfo/_common.py :: load_tzdata ::
  raise ZoneInfoNotFoundError(f"No time zone found with key {{key}}")
- py ;; ValueError day out of range ;; ValueError: day is out of range for month ;; return
  start.replace(year=start.year + 1) ;;
- py ;; naive vs aware datetime ;; TypeError: can't compare offset-naive and offset-aware
  datetimes ;; if {noun}.expires_at < datetime.now(): ;;
- py ;; AssertionError date mismatch ;; AssertionError: assert datetime.date({year}, 11, 3) ==
  datetime.date({year}, 11, 2) ;; assert order.expiry_date() == expected ;;

== timebug.happened
- The billing job ran at 01:30 local time twice on the night the clocks went back, and
  {n3} customers were charged twice.
- `test_{func}` failed every evening between 23:00 and 00:00 UTC, when the local date and
  the UTC date differ.

== timebug.why
- The cron schedule was in local time (Europe/Berlin) and the job had no idempotency key per
  billing period.
- The code mixed `date.today()` (local) with UTC timestamps from the database.

== timebug.code
| ```diff
| -    if {noun}.expires_at < datetime.now():
| +    if {noun}.expires_at < datetime.now(timezone.utc):
| ```

| ```python
| def billing_period_key(customer_id: int, period_start: date) -> str:
|     return f"billing:{{customer_id}}:{{period_start.isoformat()}}"
| ```

== timebug.commands
- TZ=Pacific/Kiritimati pytest tests/{pkg} -q
- faketime '{day} 23:30:00' pytest tests/{pkg}/test_{module}.py
- psql "$DATABASE_URL" -c "SHOW timezone;"

== timebug.learned
- Store and compute in UTC; convert only at the edges.
- Schedules that must run once per period need an idempotency key per period.

== authapi.tags
= auth security api config

== authapi.titles
- 401s from {partner} in {service} {ver} after key rotation
- Webhook signature mismatch for {partner} {noun} webhooks
- Rate limited by {partner} during {component} backfill
- OAuth token refresh race in {service} {component}
- {component} accepted expired JWTs after {ver}
- SSO login loop for {customer} users on {service}
- {exc} in {service} {func}

== authapi.err
- py ;; ExpiredSignatureError ;; jwt.exceptions.ExpiredSignatureError: Signature has expired ;;
  claims = jwt.decode(token, key, algorithms=["RS256"], audience=AUDIENCE) ;; jwt/api_jwt.py
  :: decode :: decoded = self.decode_complete( ## jwt/api_jwt.py :: _validate_exp :: raise
  ExpiredSignatureError("Signature has expired")
- py ;; HTTPError 429 ;; requests.exceptions.HTTPError: 429 Client Error: Too Many Requests for
  url: https://api.{partner_slug}.com/v1/{noun}?page={n2} ;; resp.raise_for_status() ;;
  requests/models.py :: raise_for_status :: raise HTTPError(http_error_msg, response=self)
- py ;; HTTPError 401 ;; requests.exceptions.HTTPError: 401 Client Error: Unauthorized for url:
  https://api.{partner_slug}.com/v2/{noun} ;; resp.raise_for_status() ;; requests/models.py ::
  raise_for_status :: raise HTTPError(http_error_msg, response=self)
- py ;; SignatureVerificationError ;; stripe.error.SignatureVerificationError: No signatures found
  matching the expected signature for payload ;; event = stripe.Webhook.construct_event(body,
  sig_header, secret) ;; stripe/webhook.py :: verify_header :: raise
  error.SignatureVerificationError(
- node ;; invalid_grant ;; Error: invalid_grant: Token has been expired or revoked. ;; ;;
  OAuth2Client.refreshTokenNoCache ::
  node_modules/google-auth-library/build/src/auth/oauth2client.js

== authapi.happened
- Every call from {service} to {partner} failed with 401 for {minutes} minutes after the
  scheduled API key rotation.
- Webhooks from {partner} were rejected with 400 because the signature check failed; {big}
  events piled up in their retry queue.

== authapi.why
- The new key was stored in the secrets manager but the pods only read secrets at start-up,
  and the old key was revoked immediately.
- The webhook handler verified the signature against the parsed and re-serialised JSON
  instead of the raw request body.

== authapi.code
| ```diff
|  @router.post("/webhooks/{partner_slug}")
|  async def {func}(request: Request) -> Response:
| -    body = json.dumps(await request.json())
| +    body = await request.body()  # verify the exact bytes that were signed
|      event = verify_signature(body, request.headers["{sig_header}"], settings.WEBHOOK_SECRET)
| ```

== authapi.commands
- vault kv get -field=api_key secret/{service}/{partner_slug}
- kubectl -n {ns} rollout restart deployment/{service}
- curl -s -H "Authorization: Bearer $TOKEN" https://api.{partner_slug}.com/v1/me | jq .

== authapi.learned
- Key rotation needs an overlap window where both keys are valid.
- Signatures are computed over bytes; verify the raw body.
"""


def _parse_lists(text: str) -> dict[str, tuple[str, ...]]:
    lists: dict[str, list[str]] = {}
    current: list[str] | None = None
    item: list[str] = []
    raw = False

    def flush() -> None:
        nonlocal item, raw
        if item and current is not None:
            current.append(("\n" if raw else " ").join(item))
        item, raw = [], False

    for line in text.split("\n"):
        if line.startswith("# ") or line == "#":
            continue
        if line.startswith("== "):
            flush()
            current = lists.setdefault(line[3:].strip(), [])
        elif line.startswith("= "):  # whitespace-separated one-word items
            flush()
            if current is not None:
                current.extend(line[2:].split())
        elif line.startswith("- "):
            flush()
            item = [line[2:].strip()]
        elif line.startswith("  +") and item and not raw:  # continues without a space
            item[-1] += line[3:].strip()
        elif line.startswith("  ") and item and not raw:
            item.append(line.strip())
        elif line.startswith("|+") and item and raw:  # continues the line above
            item[-1] += line[2:]
        elif line.startswith("|"):
            if not raw:
                flush()
                raw = True
            item.append(line[2:] if line.startswith("| ") else line[1:])
        elif not line.strip():
            flush()
        else:
            raise ValueError(f"synth data: cannot read line {line!r}")
    flush()
    return {name: tuple(values) for name, values in lists.items()}


_L = _parse_lists(_DATA)
_FAMILIES = (
    ("db_pool", 10),
    ("db_lock", 7),
    ("db_data", 7),
    ("redis", 6),
    ("k8s", 9),
    ("ci", 8),
    ("net", 9),
    ("pyapp", 14),
    ("frontend", 6),
    ("queue", 8),
    ("jvm", 4),
    ("golang", 4),
    ("timebug", 4),
    ("authapi", 6),
)
_FAMILY_NAMES = tuple(name for name, _ in _FAMILIES)
_FAMILY_WEIGHTS = tuple(float(w) for _, w in _FAMILIES)

# Tag vocabulary (about 40): family tags plus cross-cutting ones.
_EXTRA_TAGS = ("setup", "testing", "monitoring", "data-loss", "performance", "migration")
_LANG_TAGS = {"py": "python", "java": "java", "go": "go", "node": "javascript"}
TAGS = tuple(sorted({t for name in _FAMILY_NAMES for t in _L[f"{name}.tags"]} | set(_EXTRA_TAGS)))

# ---------------------------------------------------------------------------------------------
# Error signatures
# ---------------------------------------------------------------------------------------------

Frame = tuple[str, str, str]


@dataclass(frozen=True)
class ErrorSpec:
    lang: str
    short: str
    line: str
    call: str
    lib: tuple[Frame, ...]


def _parse_error(text: str) -> ErrorSpec:
    parts = [p.strip() for p in text.split(";;")]
    lang, short, line, call, lib_text = (parts + [""] * 5)[:5]
    lib: list[Frame] = []
    for frame_text in lib_text.split("##"):
        bits = [b.strip() for b in frame_text.split("::")]
        if not bits or not bits[0]:
            continue
        bits += [""] * (3 - len(bits))
        lib.append((bits[0], bits[1], bits[2]))
    return ErrorSpec(lang, short, line.replace("\\n", "\n").replace("\\t", "\t"), call, tuple(lib))


_ERRORS = {name: tuple(_parse_error(t) for t in _L[f"{name}.err"]) for name in _FAMILY_NAMES}


@dataclass(frozen=True)
class Scenario:
    """What an original entry is about; shared by its recurrences."""

    family: str
    lang: str
    exception: str
    short: str
    frames: tuple[Frame, ...]  # outermost first; app frames then library frames
    app_frames: int
    root: str
    core: tuple[tuple[str, str], ...]
    title: str


# ---------------------------------------------------------------------------------------------
# Filling templates
# ---------------------------------------------------------------------------------------------

_SLOT = re.compile(r"\{([a-z][a-z0-9_]*)\}")
_HEX = "0123456789abcdef"
_MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip


class _Ctx:
    """A random source plus the slot values of one entry; fills ``{slot}`` templates."""

    __slots__ = ("clock", "day", "rng", "slots")

    def __init__(self, rng: random.Random, day: date) -> None:
        self.rng = rng
        self.day = day
        self.clock = rng.randrange(0, 20 * 3600)  # seconds after midnight, advances
        self.slots: dict[str, str] = {}

    def pick(self, name: str) -> str:
        return self.rng.choice(_L[name])

    def fill(self, template: str) -> str:
        if "{" not in template:
            return template
        return _SLOT.sub(self._replace, template).replace("{{", "{").replace("}}", "}")

    def _replace(self, match: re.Match[str]) -> str:
        name = match.group(1)
        value = self.slots.get(name)
        if value is not None:
            return value
        dynamic = _DYNAMIC.get(name)
        if dynamic is not None:
            return dynamic(self)
        return match.group(0)

    def hexs(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def uuid(self) -> str:
        h = self.hexs(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_HEX[8 + (int(h[16], 16) & 3)]}{h[17:20]}-{h[20:]}"

    def tick(self) -> tuple[int, int, int, int]:
        self.clock += self.rng.randrange(0, 40)
        seconds = min(self.clock, 86_399)
        return seconds // 3600, seconds // 60 % 60, seconds % 60, self.rng.randrange(1000)


def _iso(ctx: _Ctx) -> str:
    h, m, s, ms = ctx.tick()
    return f"{ctx.day.isoformat()}T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z"


def _logtime(ctx: _Ctx) -> str:
    h, m, s, ms = ctx.tick()
    return f"{ctx.day.isoformat()} {h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _clf(ctx: _Ctx) -> str:
    h, m, s, _ = ctx.tick()
    d = ctx.day
    return f"{d.day:02d}/{_MONTHS[d.month - 1][:3]}/{d.year}:{h:02d}:{m:02d}:{s:02d} +0000"


def _ctime(ctx: _Ctx) -> str:
    h, m, s, _ = ctx.tick()
    d = ctx.day
    return f"{d.strftime('%a %b')} {d.day:2d} {h:02d}:{m:02d}:{s:02d} {d.year}"


_DYNAMIC: dict[str, Callable[[_Ctx], str]] = {
    "uuid": _Ctx.uuid,
    "hex": lambda c: "0x7f" + c.hexs(10),
    "hexshort": lambda c: c.hexs(8),
    "ip": lambda c: f"10.{c.rng.randrange(256)}.{c.rng.randrange(256)}.{c.rng.randrange(1, 255)}",
    "ipd": lambda c: f"10-{c.rng.randrange(256)}-{c.rng.randrange(256)}-{c.rng.randrange(255)}",
    "ts": _iso,
    "tsl": _logtime,
    "clf": _clf,
    "ctime": _ctime,
    "n": lambda c: str(c.rng.randrange(2, 40)),
    "n2": lambda c: str(c.rng.randrange(40, 1000)),
    "n3": lambda c: str(c.rng.randrange(100, 5000)),
    "big": lambda c: str(c.rng.randrange(1000, 9_999_999)),
    "ms": lambda c: str(c.rng.randrange(120, 30_000)),
    "ms_slow": lambda c: str(c.rng.randrange(1200, 30_000)),
    "ms_small": lambda c: str(c.rng.choice((80, 120, 150, 180, 200, 250, 300, 400))),
    "sec": lambda c: f"{c.rng.randrange(2, 120)}.{c.rng.randrange(10)}",
    "pct": lambda c: str(c.rng.randrange(3, 95)),
    "pct_low": lambda c: str(c.rng.randrange(2, 30)),
    "port": lambda c: str(c.rng.randrange(1024, 65535)),
    "pid": lambda c: str(c.rng.randrange(300, 99_999)),
    "sha": lambda c: c.hexs(7),
    "tid": lambda c: c.hexs(32),
    "rid": lambda c: c.hexs(12),
    "podhash": lambda c: f"{c.hexs(10)}-{c.hexs(5)}",
    "minutes": lambda c: str(c.rng.choice((4, 7, 9, 12, 15, 18, 22, 25, 35, 40, 47, 55, 90, 140))),
    "mb": lambda c: str(c.rng.choice((48, 64, 96, 128, 256, 384, 512, 900, 1400))),
    "gb": lambda c: f"{c.rng.randrange(1, 64)}.{c.rng.randrange(10)}",
    "tenants": lambda c: str(c.rng.randrange(2, 400)),
    "exit_code": lambda c: c.rng.choice(("1", "2", "137", "139", "143")),
    "status5xx": lambda c: c.rng.choice(("500", "502", "503", "504")),
    "sev_no": lambda c: c.rng.choice(("1", "2", "2", "3")),
    "line": lambda c: str(c.rng.randrange(12, 640)),
    "hhmm": lambda c: f"{c.rng.randrange(24):02d}:{c.rng.randrange(60):02d}",
    "issue_no": lambda c: str(c.rng.randrange(120, 48_000)),
    "so_id": lambda c: str(c.rng.randrange(1_000_000, 79_000_000)),
    "slack": lambda c: c.hexs(8).upper(),
    "slack_ts": lambda c: str(c.rng.randrange(1_550_000_000_000_000, 1_790_000_000_000_000)),
    "addr": lambda c: f"{c.rng.randrange(8, 0x80):x}",
    "pc": lambda c: c.hexs(6),
    "mem_limit": lambda c: str(c.rng.choice((256, 384, 512, 768, 1024, 1536, 2048))),
    "mem_limit2": lambda c: str(c.rng.choice((1024, 2048, 3072, 4096))),
    "old_year": lambda c: str(c.rng.randrange(2016, max(2017, c.day.year))),
}

# ---------------------------------------------------------------------------------------------
# Vocabulary helpers
# ---------------------------------------------------------------------------------------------

_METHODS = ("GET", "GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE")
_ENDPOINT_SHAPES = (
    "/api/v1/{res}/{id}",
    "/api/v1/{res}",
    "/api/v2/{res}/{id}/{sub}",
    "/internal/{res}/sync",
    "/webhooks/{res}",
    "/graphql",
    "/v1/{res}/{id}/{sub}",
)
_SUBS = ("items", "events", "history", "status", "refunds", "attachments", "preview", "export")
_KEYS = (
    "user_id", "tenant_id", "order_id", "customer_id", "account_id", "invoice_id", "email",
    "currency", "amount", "external_id", "locale", "plan_id", "session_id", "shipping_address",
    "metadata", "price_id", "country_code", "timezone", "idempotency_key", "callback_url",
)  # fmt: skip
_ATTRS = (
    "email", "id", "name", "currency", "tenant", "address", "owner", "total", "items",
    "settings", "plan", "status", "locale", "country", "price", "balance", "profile", "token",
)  # fmt: skip
_COLS = (
    "external_id", "email", "reference", "invoice_number", "slug", "sku", "idempotency_key",
    "order_ref", "vat_id", "phone", "account_no", "period_start", "amount", "due_date",
)  # fmt: skip
_ARGS = ("order_id", "payload", "request", "batch", "user", "event", "invoice", "tenant_id",
         "message", "record", "job", "customer", "account_id", "rows")  # fmt: skip
_VARS = ("result", "rows", "order", "invoice", "resp", "data", "user", "items", "payload",
         "records", "batch", "summary")  # fmt: skip
_PY_SOURCES = (
    "result = self.{callee}({arg})",
    "return self.{callee}({arg})",
    "{var} = {callee}({arg})",
    "{var} = await self.{callee}({arg})",
    "for item in self.{callee}({arg}):",
    "response = {callee}({arg}, timeout=self.timeout)",
    "self.{callee}({arg})",
    "return {callee}(request, *args, **kwargs)",
    "{var} = self.service.{callee}({arg})",
    "return await {callee}({arg})",
)
_PY_ENTRY = (
    ("flask/app.py", "full_dispatch_request", "rv = self.dispatch_request()"),
    (
        "flask/app.py",
        "dispatch_request",
        "return self.ensure_sync(self.view_functions[rule.endpoint])(**view_args)",
    ),
    (
        "django/core/handlers/base.py",
        "_get_response",
        "response = wrapped_callback(request, *callback_args, **callback_kwargs)",
    ),
    ("starlette/routing.py", "app", "response = await f(request)"),
    ("fastapi/routing.py", "run_endpoint_function", "return await dependant.call(**values)"),
    ("celery/app/trace.py", "__protected_call__", "return self.run(*args, **kwargs)"),
    ("click/core.py", "invoke", "return __callback(*args, **kwargs)"),
    ("_pytest/python.py", "pytest_pyfunc_call", "result = testfunction(**testargs)"),
)
_PYLIBS = (
    ("sqlalchemy", ("1.4.52", "2.0.25", "2.0.30", "2.0.36")),
    ("psycopg2-binary", ("2.9.5", "2.9.9", "2.9.10")),
    ("celery", ("5.2.7", "5.3.6", "5.4.0")),
    ("redis", ("4.6.0", "5.0.1", "5.2.1")),
    ("requests", ("2.28.2", "2.31.0", "2.32.3")),
    ("httpx", ("0.24.1", "0.27.0", "0.28.1")),
    ("pydantic", ("1.10.13", "2.5.3", "2.9.2")),
    ("django", ("3.2.23", "4.2.11", "5.0.6")),
    ("fastapi", ("0.95.2", "0.110.0", "0.115.4")),
    ("boto3", ("1.28.57", "1.34.69", "1.35.40")),
    ("kafka-python", ("2.0.2",)),
    ("pika", ("1.3.2",)),
    ("alembic", ("1.11.3", "1.13.1")),
    ("gunicorn", ("20.1.0", "21.2.0", "22.0.0")),
    ("urllib3", ("1.26.18", "2.0.7", "2.2.1")),
)
_K8S_REASONS = ("Error", "OOMKilled", "Error", "Completed", "ContainerCannotRun")
_TZ_LEGACY = ("US/Pacific-New", "Asia/Calcutta", "Europe/Kiev", "America/Buenos_Aires", "GMT+0")
_SIG_HEADERS = ("Stripe-Signature", "X-Hub-Signature-256", "X-Signature", "X-Webhook-Signature")
_OSES = (
    "Ubuntu 22.04 (linux 6.5)", "Ubuntu 20.04 (linux 5.15)", "Ubuntu 24.04 (linux 6.8)",
    "Debian 12 (bookworm)", "Debian 11 (bullseye)", "Alpine 3.19", "Alpine 3.18",
    "macOS 14.4 (arm64)", "macOS 13.6 (x86_64)", "Amazon Linux 2023", "Amazon Linux 2",
    "RHEL 9.3", "Windows 11 23H2 (WSL2)", "distroless (debian12)", "Bottlerocket 1.19 (EKS 1.29)",
)  # fmt: skip
_PY_BY_YEAR = {
    2019: ("3.7.3", "3.7.4", "3.6.9"),
    2020: ("3.8.2", "3.8.5", "3.7.9"),
    2021: ("3.9.5", "3.9.7", "3.8.10"),
    2022: ("3.10.4", "3.10.6", "3.9.13"),
    2023: ("3.11.2", "3.11.4", "3.10.12"),
    2024: ("3.12.1", "3.12.3", "3.11.7"),
    2025: ("3.12.7", "3.13.1", "3.12.9"),
    2026: ("3.13.3", "3.14.0", "3.12.9"),
}
_DOMAINS = ("acme.io", "acme-corp.com", "shop.acme.io", "api.acme.io", "internal.acme.io",
            "app.acme.io", "gateway.acme.internal", "pay.acme.io")  # fmt: skip


def _camel(words: Sequence[str]) -> str:
    return words[0] + "".join(w[:1].upper() + w[1:] for w in words[1:])


def _func_name(rng: random.Random) -> str:
    name = f"{rng.choice(_L['verbs'])}_{rng.choice(_L['nouns'])}"
    roll = rng.random()
    if roll < 0.12:
        name += rng.choice(("_batch", "_async", "_safe", "_v2", "_for_tenant", "_bulk"))
    elif roll < 0.18:
        name = "_" + name
    return name


def _class_name(rng: random.Random) -> str:
    return rng.choice(_L["class_nouns"]) + rng.choice(_L["class_suffixes"])


def _version(rng: random.Random) -> str:
    major = rng.randrange(1, 7)
    minor = rng.randrange(0, 31)
    if rng.random() < 0.4:
        return f"v{major}.{minor}"
    return f"v{major}.{minor}.{rng.randrange(0, 16)}"


def _previous_version(rng: random.Random, version: str) -> str:
    major, minor = (int(x) for x in version.lstrip("v").split(".")[:2])
    if minor == 0:
        return f"v{max(0, major - 1)}.{rng.randrange(3, 20)}.{rng.randrange(0, 8)}"
    return f"v{major}.{minor - 1}.{rng.randrange(0, 8)}"


def _customer(rng: random.Random) -> str:
    return rng.choice(_L["customer_heads"]) + rng.choice(_L["customer_tails"])


def _capitalised(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:]


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def _slugish(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _core_slots(ctx: _Ctx, family: str) -> None:
    """Slots that describe what the incident is about (shared with recurrences)."""
    rng = ctx.rng
    s = ctx.slots
    s["service"] = ctx.pick("services")
    s["service_u"] = s["service"].replace("-", "_")
    s["component"] = ctx.pick("components")
    s["component2"] = ctx.pick("components")
    s["table"] = ctx.pick("tables")
    s["table_model"] = "".join(w.capitalize() for w in _singular(s["table"]).split("_"))
    s["queue"] = ctx.pick("queues")
    s["partner"] = ctx.pick("partners")
    s["partner_slug"] = _slugish(s["partner"])
    s["partner_env"] = s["partner_slug"].replace("-", "_").upper()
    s["pkg"] = ctx.pick("pkgs")
    s["module"] = ctx.pick("modules")
    s["func"] = _func_name(rng)
    s["callee"] = _func_name(rng)
    s["verb"] = ctx.pick("verbs")
    s["verb_ing"] = s["verb"].rstrip("e") + "ing"
    s["noun"] = _singular(rng.choice(_L["nouns"]))
    s["noun_camel"] = _camel(s["noun"].split("_"))
    s["cls"] = _class_name(rng)
    s["cls_short"] = rng.choice(_L["class_nouns"])
    s["cls_name"] = s["cls_short"] + rng.choice(("", "Summary", "Settings", "Line", "Record"))
    s["key"] = rng.choice(_KEYS)
    s["attr"] = rng.choice(_ATTRS)
    s["attr_cap"] = s["attr"].capitalize()
    s["col"] = rng.choice(_COLS)
    s["arg"] = rng.choice(_ARGS)
    db = "MySQL" if "mysql" in family or rng.random() < 0.2 else "PostgreSQL"
    s["db"] = db
    s["host"] = rng.choice(("pg-primary", "db-main", "mysql-0", "pg-orders", "aurora-writer"))
    s["host"] += f".{s['pkg']}.internal"
    s["ipfix"] = f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
    s["hexfix"] = "0x7f" + ctx.hexs(10)
    s["uuidfix"] = ctx.uuid()
    s["customer"] = _customer(rng)
    s["customer_short"] = s["customer"].split()[0]
    s["customer_slug"] = _slugish(s["customer"])
    s["env_var"] = rng.choice(
        (
            "DATABASE_URL",
            "DB_DSN",
            "REDIS_URL",
            "BROKER_URL",
            "SECRET_KEY",
            "STRIPE_API_KEY",
            "S3_BUCKET",
            "SENTRY_DSN",
            "OIDC_ISSUER",
        )
    )
    s["flag"] = ctx.pick("flags")
    s["flag_upper"] = s["flag"].upper()
    s["ver"] = _version(rng)
    s["ver_plain"] = s["ver"].lstrip("v")
    s["db_any"] = ctx.pick("dbs_any")
    s["lib_any"] = ctx.pick("libs_any")
    s["region"] = ctx.pick("regions")
    s["envname"] = ctx.pick("envs")
    s["py_minor"] = rng.choice(("8", "9", "10", "11", "12", "13"))
    s["k8s_minor"] = str(rng.randrange(21, 33))
    s["plan"] = ctx.pick("plans")
    s["pr"] = f"#{rng.randrange(300, 9000)}"
    s["domain"] = rng.choice(_DOMAINS)
    s["safari_ver"] = rng.choice(("15.6", "16.4", "17.2", "17.5", "18.1"))
    s["tz_legacy"] = rng.choice(_TZ_LEGACY)
    s["sig_header"] = rng.choice(_SIG_HEADERS)
    s["year"] = str(rng.randrange(2019, 2027))  # the entry's own year replaces these two
    s["day"] = (FIRST_DAY + timedelta(days=rng.randrange(2800))).isoformat()
    lib, versions = rng.choice(_PYLIBS)
    s["pylib"] = lib
    s["pylib_ver"] = rng.choice(versions)
    s["when"] = ctx.fill(ctx.pick("whens"))


def _entry_slots(ctx: _Ctx) -> None:
    """Slots that vary between an entry and its recurrences."""
    rng = ctx.rng
    s = ctx.slots
    s["service2"] = ctx.pick("services")
    s["table2"] = ctx.pick("tables")
    s["reporter2"] = ctx.pick("reporters")
    s["team"] = ctx.pick("teams")
    s["alert_source"] = ctx.pick("alert_sources")
    s["dashboard"] = ctx.pick("dashboards")
    s["ver_prev"] = _previous_version(rng, s["ver"])
    s["ver_next"] = s["ver"] + rng.choice((".1", "-hotfix1", ".2", "-rc2"))
    project = rng.choice(("OPS", "INC", "PLAT", "BILL", "SRE", "DATA"))
    s["ticket"] = f"{project}-{rng.randrange(100, 9999)}"
    s["ticket_lower"] = s["ticket"].lower()
    s["ns"] = s["pkg"] if rng.random() < 0.7 else s["service"]
    s["envkey"] = rng.choice(("prod", "staging", "dev", "eu", "us"))
    s["method"] = rng.choice(_METHODS)
    s["endpoint"] = (
        rng.choice(_ENDPOINT_SHAPES)
        .replace("{res}", s["table"].replace("_", "-"))
        .replace("{id}", str(rng.randrange(1000, 9_999_999)))
        .replace("{sub}", rng.choice(_SUBS))
    )
    s["exc_type"] = rng.choice(
        (
            "ConnectionError",
            "TimeoutError",
            "httpx.TransportError",
            "OperationalError",
            "RequestException",
        )
    )
    s["k8s_reason"] = rng.choice(_K8S_REASONS)
    s["bucket"] = f"acme-{s['pkg']}-static-{s['envkey']}"
    s["day"] = ctx.day.isoformat()
    s["month_name"] = _MONTHS[ctx.day.month - 1]
    s["when_plain"] = rng.choice(("nightly run", "end-of-month batch", "backfill", "peak hour"))
    s["conn_limit"] = str(rng.choice((100, 200, 400, 500, 1000)))


# ---------------------------------------------------------------------------------------------
# Scenarios (originals) and recurrences
# ---------------------------------------------------------------------------------------------

_PY_ROOTS = ("/srv/app", "/app", "/opt/{service}", "/home/deploy/{service}/current", "/code",
             "/workspace/{service}", "/usr/src/app")  # fmt: skip
_JS_ROOTS = ("/app", "/usr/src/app", "/srv/{service}", "/opt/app", "/home/node/app")
_GO_ROOTS = ("/build", "/src", "/go/src/github.com/acme/{service}", "/workspace")
_LANG_ROOTS = {"py": _PY_ROOTS, "node": _JS_ROOTS, "go": _GO_ROOTS, "java": ("",)}


def _app_frames(ctx: _Ctx, spec: ErrorSpec) -> list[Frame]:
    """Application frames, outermost first, in the spec's language."""
    rng = ctx.rng
    s = ctx.slots
    count = rng.randrange(2, 6)
    frames: list[Frame] = []
    funcs = [_func_name(rng) for _ in range(count - 1)] + [s["func"]]
    if spec.lang == "py":
        if rng.random() < 0.6:
            frames.append(rng.choice(_PY_ENTRY))
        for index, func in enumerate(funcs):
            pkg = s["pkg"] if rng.random() < 0.6 else ctx.pick("pkgs")
            path = f"{pkg}/{ctx.pick('modules')}.py"
            if index + 1 < len(funcs):
                source = rng.choice(_PY_SOURCES)
                source = source.replace("{callee}", funcs[index + 1])
                source = source.replace("{arg}", rng.choice(_ARGS))
                source = source.replace("{var}", rng.choice(_VARS))
            else:
                source = ctx.fill(spec.call) if spec.call else f"return {s['callee']}({s['arg']})"
            frames.append((path, func, source))
    elif spec.lang == "java":
        for func in funcs:
            cls = _class_name(rng)
            pkg = s["pkg"] if rng.random() < 0.6 else ctx.pick("pkgs")
            frames.append(
                (f"com.acme.{pkg}.{cls}", _camel(func.strip("_").split("_")), f"{cls}.java")
            )
    elif spec.lang == "go":
        svc = s["service"].split("-")[0]
        for func in funcs:
            pkg = s["pkg"] if rng.random() < 0.6 else ctx.pick("pkgs")
            typ = rng.choice(_L["class_nouns"]) + rng.choice(("", "Store", "Client", "Handler"))
            method = "".join(w.capitalize() for w in func.strip("_").split("_"))
            frames.append(
                (
                    f"github.com/acme/{svc}/internal/{pkg}.(*{typ}).{method}",
                    f"internal/{pkg}/{ctx.pick('modules')}.go",
                    "",
                )
            )
    else:  # node
        for func in funcs:
            directory = rng.choice(("handlers", "services", "routes", "lib", "jobs", "components"))
            name = _camel(func.strip("_").split("_"))
            owner = rng.choice(("", "", _class_name(rng) + ".", "Object.", "async "))
            file = rng.choice(_L["modules"])
            frames.append((f"{owner}{name}", f"src/{directory}/{file}.js", ""))
    return frames


@lru_cache(maxsize=2048)
def _scenario(seed: int, number: int) -> Scenario:
    rng = random.Random(f"{seed}:scenario:{number}")
    ctx = _Ctx(rng, FIRST_DAY)
    family = rng.choices(_FAMILY_NAMES, weights=_FAMILY_WEIGHTS)[0]
    _core_slots(ctx, family)
    spec = rng.choice(_ERRORS[family])
    exception = ctx.fill(spec.line)
    short = ctx.fill(spec.short)
    ctx.slots["exc"] = short
    app = _app_frames(ctx, spec)
    lib = [(ctx.fill(a), ctx.fill(b), ctx.fill(c)) for a, b, c in spec.lib]
    root = ctx.fill(rng.choice(_LANG_ROOTS[spec.lang]))
    title = _capitalised(ctx.fill(rng.choice(_L[f"{family}.titles"])))
    core = tuple((k, v) for k, v in ctx.slots.items())
    return Scenario(
        family, spec.lang, exception, short, tuple(app + lib), len(app), root, core, title
    )


@lru_cache(maxsize=2048)
def _origin(seed: int, number: int) -> int | None:
    """The earlier original entry that ``number`` is a recurrence of, or None."""
    if number < 3:
        return None
    rng = random.Random(f"{seed}:recur:{number}")
    if rng.random() >= RECURRENCE_RATE:
        return None
    earlier = rng.randrange(1, number)
    while (further := _origin(seed, earlier)) is not None:
        earlier = further
    return earlier


@lru_cache(maxsize=2048)
def _title(seed: int, number: int) -> str:
    origin = _origin(seed, number)
    if origin is None:
        return _scenario(seed, number).title
    scenario = _scenario(seed, origin)
    rng = random.Random(f"{seed}:again:{number}")
    ctx = _Ctx(rng, FIRST_DAY)
    ctx.slots.update(scenario.core)
    ctx.slots["exc"] = scenario.short
    ctx.slots["service2"] = ctx.pick("services")
    ctx.slots["component"] = (
        ctx.pick("components") if rng.random() < 0.5 else ctx.slots["component"]
    )
    ctx.slots["envname"] = ctx.pick("envs")
    ctx.slots["month_name"] = rng.choice(_MONTHS)
    ctx.slots["when"] = ctx.fill(ctx.pick("whens"))
    return _capitalised(ctx.fill(ctx.pick("again")))


def _filename(seed: int, number: int) -> str:
    name: str = entry_filename(number, _title(seed, number))
    return name


def _entry_day(rng: random.Random, number: int, n: int) -> date:
    span = (LAST_DAY - FIRST_DAY).days + 1
    start = (number - 1) * span // n
    width = max(1, number * span // n - start)
    return FIRST_DAY + timedelta(days=min(span - 1, start + rng.randrange(width)))


# ---------------------------------------------------------------------------------------------
# Error messages in four languages
# ---------------------------------------------------------------------------------------------


def _python_trace(ctx: _Ctx, sc: Scenario, pyver: str) -> list[str]:
    rng = ctx.rng
    root = sc.root
    pyver = ".".join(pyver.split(".")[:2])
    site = rng.choice(
        (
            f"{root}/.venv/lib/python{pyver}/site-packages",
            f"/usr/local/lib/python{pyver}/site-packages",
        )
    )
    stdlib = f"/usr/local/lib/python{pyver}" if "/usr/local" in site else f"/usr/lib/python{pyver}"
    lines = ["Traceback (most recent call last):"]
    for index, (path, func, source) in enumerate(sc.frames):
        if index < sc.app_frames and not any(path == e[0] for e in _PY_ENTRY):
            full = f"{root}/{path}"
        elif path.startswith("@"):
            full = f"{stdlib}/{path[1:]}"
        else:
            full = f"{site}/{path}"
        lines.append(f'  File "{full}", line {rng.randrange(12, 2400)}, in {func}')
        if source:
            lines.append(f"    {source}")
    lines.extend(sc.exception.split("\n"))
    return lines


def _java_trace(ctx: _Ctx, sc: Scenario) -> list[str]:
    rng = ctx.rng
    thread = rng.choice(("http-nio-8080-exec-", "pool-2-thread-", "kafka-listener-", "scheduling-"))
    head = (
        f"{_logtime(ctx)} ERROR 1 --- [{thread}{rng.randrange(1, 64)}] "
        f"c.a.{ctx.slots['pkg']}.{sc.frames[0][0].rsplit('.', 1)[-1] if sc.frames else 'App'}"
        " : Request processing failed"
    )
    lines = [head, *sc.exception.split("\n")]
    for cls, method, file in reversed(sc.frames):
        lines.append(f"\tat {cls}.{method}({file}:{rng.randrange(20, 900)})")
    lines.append(
        "\tat org.springframework.web.servlet.FrameworkServlet.service("
        f"FrameworkServlet.java:{rng.randrange(800, 900)})"
    )
    lines.append(f"\tat java.base/java.lang.Thread.run(Thread.java:{rng.randrange(800, 1600)})")
    if rng.random() < 0.4:
        lines.append(f"Caused by: java.io.IOException: {ctx.pick('components')} stream closed")
        lines.append(f"\t... {rng.randrange(8, 80)} more")
    return lines


def _go_trace(ctx: _Ctx, sc: Scenario) -> list[str]:
    rng = ctx.rng
    lines = [*sc.exception.split("\n"), "", f"goroutine {rng.randrange(1, 90000)} [running]:"]
    for func, path, _ in reversed(sc.frames):
        args = ", ".join(
            f"0xc000{rng.getrandbits(24):06x}" if rng.random() < 0.7 else hex(rng.randrange(256))
            for _ in range(rng.randrange(1, 4))
        )
        lines.append(f"{func}({args})")
        full = path if path.startswith("/") else f"{sc.root}/{path}"
        lines.append(f"\t{full}:{rng.randrange(20, 1800)} +0x{rng.randrange(16, 2048):x}")
    lines.append(f"created by net/http.(*Server).Serve in goroutine {rng.randrange(1, 40)}")
    lines.append(f"\t/usr/local/go/src/net/http/server.go:{rng.randrange(3000, 3400)} +0x4b4")
    lines.append("exit status 2")
    return lines


def _node_trace(ctx: _Ctx, sc: Scenario) -> list[str]:
    rng = ctx.rng
    lines: list[str] = []
    frames = list(reversed(sc.frames))
    if frames and frames[0][1].startswith("src/") and rng.random() < 0.6:
        line_no = rng.randrange(5, 400)
        lines += [
            f"{sc.root}/{frames[0][1]}:{line_no}",
            f"    const {ctx.slots['attr']} = {ctx.slots['noun_camel']}.{ctx.slots['attr']};",
            " " * 30 + "^",
            "",
        ]
    lines.extend(sc.exception.split("\n"))
    for func, path, _ in frames:
        if path.startswith(("node:", "<")):
            where = (
                f"{path}:{rng.randrange(20, 600)}:{rng.randrange(1, 40)}"
                if path.startswith("node:")
                else path
            )
        else:
            where = f"{sc.root}/{path}:{rng.randrange(1, 900)}:{rng.randrange(1, 80)}"
        lines.append(f"    at {func} ({where})")
    if rng.random() < 0.5:
        lines.append(
            f"    at Object.<anonymous> ({sc.root}/src/server.js:{rng.randrange(5, 80)}:"
            f"{rng.randrange(1, 20)})"
        )
    lines += ["", f"Node.js v{rng.choice(('18.19.0', '20.11.1', '20.18.0', '22.12.0'))}"]
    return lines


def _error_messages(ctx: _Ctx, sc: Scenario, pyver: str) -> str:
    rng = ctx.rng
    pre = [ctx.fill(ctx.pick("logs_pre")) for _ in range(rng.randrange(1, 4))]
    if sc.lang == "py":
        trace = _python_trace(ctx, sc, pyver)
    elif sc.lang == "java":
        trace = _java_trace(ctx, sc)
    elif sc.lang == "go":
        trace = _go_trace(ctx, sc)
    else:
        trace = _node_trace(ctx, sc)
    post = [ctx.fill(ctx.pick("logs_post")) for _ in range(rng.randrange(0, 3))]
    block = "\n".join([*pre, *trace, *([""] if post else []), *post])
    parts = [f"```\n{block}\n```"]
    context = _L.get(f"{sc.family}.context", ())
    if context and rng.random() < 0.55:
        parts.append(f"```text\n{ctx.fill(rng.choice(context))}\n```")
    return "\n\n".join(parts)


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def _pool(family: str, key: str) -> tuple[str, ...]:
    return _L.get(f"{family}.{key}", ())


def _sentences(
    ctx: _Ctx, family: str, key: str, low: int, high: int, *, ordered: bool = False
) -> list[str]:
    """``low``..``high`` distinct filled sentences: family ones first, then generic ones.

    ``ordered`` keeps the generic ones in the order of their list (steps that build on
    each other).
    """
    rng = ctx.rng
    own = list(_pool(family, key))
    generic = list(_L.get(key, ()))
    count = rng.randrange(low, high + 1)
    chosen: list[str] = []
    if own:
        chosen += rng.sample(own, min(len(own), max(1, count // 2)))
    if generic:
        picked = rng.sample(range(len(generic)), min(len(generic), max(0, count - len(chosen))))
        chosen += [generic[i] for i in (sorted(picked) if ordered else picked)]
    return [ctx.fill(t) for t in chosen]


def _prose(ctx: _Ctx, family: str, key: str, low: int, high: int) -> str:
    return " ".join(_sentences(ctx, family, key, low, high))


def _bullets(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def _numbered(items: Sequence[str]) -> str:
    return "\n".join(f"{index}. {item}" for index, item in enumerate(items, 1))


def _commands(ctx: _Ctx, family: str) -> str:
    rng = ctx.rng
    own = list(_pool(family, "commands"))
    lines = rng.sample(own, min(len(own), rng.randrange(2, 5)))
    lines += rng.sample(_L["commands_generic"], rng.randrange(1, 4))
    out: list[str] = []
    comments = ("# during the incident", "# clean-up", "# verify", "# roll out the fix",
                "# check the state first")  # fmt: skip
    for index, line in enumerate(lines):
        if index == 0 or rng.random() < 0.25:
            if out:
                out.append("")
            out.append(rng.choice(comments))
        out.append(ctx.fill(line))
    return "```bash\n" + "\n".join(out) + "\n```"


def _code_change(ctx: _Ctx, family: str) -> str:
    rng = ctx.rng
    own = _pool(family, "code")
    template = rng.choice(own) if own and rng.random() < 0.75 else ctx.pick("code_generic")
    return ctx.fill(template)


def _similar(ctx: _Ctx, seed: int, number: int, origin: int | None) -> str:
    rng = ctx.rng
    items: list[str] = []
    if origin is not None:
        name = _filename(seed, origin)
        items.append(f"[{origin:03d}]({name}): same exception and stack, first seen there")
    elif number > 5 and rng.random() < 0.45:
        other = rng.randrange(1, number)
        name = _filename(seed, other)
        items.append(f"[{other:03d}]({name}) looks related ({ctx.pick('teams')} team)")
    if rng.random() < 0.5 or not items:
        items.append(ctx.fill(rng.choice((
            "None found in the archive",
            "{ticket} in the tracker describes a similar symptom",
            "Slack thread in #inc-{service} from {old_year}",
            "Possibly the same root cause as the {component} outage last quarter",
        ))))  # fmt: skip
    return _bullets(items)


def _checklist(ctx: _Ctx, template: Template, status: str) -> list[ChecklistItem]:
    rng = ctx.rng
    done_rate = {"resolved": 0.85, "investigating": 0.25, "active": 0.05}[status]
    defaults = template.checklist.defaults if template.checklist else ()
    items = [ChecklistItem(text, rng.random() < done_rate) for text in defaults]
    for text in rng.sample(_L["followups"], rng.randrange(0, 3)):
        items.append(ChecklistItem(ctx.fill(text), rng.random() < done_rate * 0.6))
    return items


def _section_bytes(text: str) -> int:
    return len(text.encode("utf-8")) + 30  # the heading and blank lines around it


def _estimate(sections: dict[str, str], follow_up: Sequence[ChecklistItem]) -> int:
    """About the size of the rendered file (frontmatter, group headings, checklist)."""
    checklist = sum(len(item.text) + 7 for item in follow_up) + 25
    return 335 + checklist + sum(_section_bytes(text) for text in sections.values())


def _build_entry(seed: int, number: int, n: int, template: Template) -> Entry:
    rng = random.Random(f"{seed}:entry:{number}")
    day = _entry_day(rng, number, n)
    origin = _origin(seed, number)
    sc = _scenario(seed, origin if origin is not None else number)
    ctx = _Ctx(rng, day)
    ctx.slots.update(sc.core)
    ctx.slots["exc"] = sc.short
    ctx.slots["exc_plain"] = sc.short.replace("'", "")
    ctx.slots["year"] = str(day.year)
    _entry_slots(ctx)
    if origin is not None:  # the same error somewhere else, later
        ctx.slots["ver"] = _version(rng)
        ctx.slots["envname"] = ctx.pick("envs")
        root = sc.root
        for _ in range(4):
            candidate = ctx.fill(rng.choice(_LANG_ROOTS[sc.lang]))
            if candidate != sc.root:
                root = candidate
                break
        sc = Scenario(
            sc.family,
            sc.lang,
            sc.exception,
            sc.short,
            sc.frames,
            sc.app_frames,
            root,
            sc.core,
            sc.title,
        )
    family = sc.family

    recent = (LAST_DAY - day).days < 120
    severity = rng.choices(("critical", "high", "medium", "low"), (12, 30, 38, 20))[0]
    status_weights = (30, 35, 35) if recent else (7, 9, 84)
    status = rng.choices(("active", "investigating", "resolved"), status_weights)[0]
    own_tags = list(_L[f"{family}.tags"])
    tags = rng.sample(own_tags, rng.randrange(1, min(4, len(own_tags)) + 1))
    if len(tags) < 4 and rng.random() < 0.35:
        extra = rng.choice((_LANG_TAGS[sc.lang], *_EXTRA_TAGS))
        if extra not in tags:
            tags.append(extra)
    pyver = rng.choice(_PY_BY_YEAR[day.year])

    entry = Entry()
    entry.fields.update(
        title=_title(seed, number),
        date=day.isoformat(),
        reporter=ctx.pick("reporters"),
        severity=severity,
        status=status,
        tags=tags,
    )
    env = {
        "app_version": (
            ctx.slots["ver"]
            + (f"-{rng.randrange(1, 40)}-g{ctx.hexs(7)}" if rng.random() < 0.4 else "")
        ),
        "python_version": pyver,
        "os": rng.choice(_OSES),
        "environment": rng.choices(("production", "testing", "development"), (65, 15, 20))[0],
    }
    if rng.random() < 0.6:
        env["sdk_version"] = f"0.{rng.randrange(1, 12)}.{rng.randrange(0, 10)}"
    entry.groups["environment"] = env

    unsolved: set[str] = set()
    if status != "resolved" and rng.random() < 0.5:  # not solved yet: some sections unwritten
        unsolved = set(rng.sample(_UNSOLVED_SECTIONS, rng.randrange(1, 3)))
    # the core every entry has; then sections in random order until the entry's target size
    sec: dict[str, str] = {}
    sec["what_happened"] = _prose(ctx, family, "happened", 1, 3)
    sec["actual_behavior"] = _prose(ctx, family, "actual", 1, 2)
    sec["error_messages"] = _error_messages(ctx, sc, pyver)
    sec["why_it_happened"] = _prose(ctx, family, "why", 1, 2)
    if "fix" not in unsolved:
        sec["fix"] = _prose(ctx, family, "fix", 1, 2)
    sec["similar_past_issues"] = _similar(ctx, seed, number, origin)
    entry.follow_up = _checklist(ctx, template, status)

    def sentences(key: str, low: int, high: int, *, ordered: bool = False) -> list[str]:
        return _sentences(ctx, family, key, low, high, ordered=ordered)

    primary: list[tuple[str, Callable[[], str]]] = [
        ("expected_behavior", lambda: " ".join(sentences("expected", 1, 2))),
        ("steps_to_reproduce", lambda: _numbered(sentences("repro", 3, 5, ordered=True))),
        ("initial_diagnosis", lambda: " ".join(sentences("diagnosis", 1, 2))),
        ("steps_taken", lambda: _numbered(sentences("steps", 2, 5))),
        ("contributing_factors", lambda: _bullets(sentences("factors", 2, 4))),
        ("solution_code_changes", lambda: _code_change(ctx, family)),
        ("commands_run", lambda: _commands(ctx, family)),
        ("prevention_strategy_code_changes", lambda: _bullets(sentences("prev_code", 1, 3))),
        ("process_changes", lambda: _bullets(sentences("process", 1, 3))),
        ("what_we_learned", lambda: _bullets(sentences("learned", 1, 3))),
    ]
    secondary: list[tuple[str, Callable[[], str]]] = [
        ("configuration", lambda: ctx.fill(ctx.pick("config_generic"))),
        ("tools_used", lambda: _bullets(rng.sample(_L["tools_all"], rng.randrange(2, 5)))),
        ("configuration_changes", lambda: ctx.fill(ctx.pick("config_changes"))),
        ("monitoring_alerts", lambda: _bullets(sentences("monitoring", 1, 3))),
        ("verification_steps", lambda: _numbered(sentences("verify", 1, 3))),
        ("test_results", lambda: _bullets(sentences("results", 1, 2))),
        ("affected_components", lambda: _bullets(sentences("affected", 1, 3))),
        ("user_impact", lambda: _bullets(sentences("user_impact", 1, 2))),
        ("knowledge_gaps_identified", lambda: _bullets(sentences("gaps", 1, 2))),
        ("dependencies", lambda: _bullets(sentences("deps", 1, 2))),
        ("references", lambda: _bullets([ctx.fill(u) for u in rng.sample(_L["refs_all"], 3)])),
    ]
    rng.shuffle(primary)
    rng.shuffle(secondary)
    target = int(rng.triangular(MIN_BYTES + 100, MAX_BYTES - 100, 4300))
    size = _estimate(sec, entry.follow_up)
    for key, make in primary + secondary:
        if size >= target:
            break
        if key in unsolved:
            continue
        sec[key] = make()
        size += _section_bytes(sec[key])
    if size < MIN_BYTES:  # everything written and still short: say more about what happened
        sec["what_happened"] += "\n\n" + _prose(ctx, "", "happened", 2, 3)
    entry.sections = sec
    return entry


# ---------------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------------

_TEMPLATE: Template | None = None


def _template() -> Template:
    global _TEMPLATE
    if _TEMPLATE is None:
        _TEMPLATE = load_template()
    return _TEMPLATE


def _write_range(job: tuple[str, int, int, int, int]) -> list[tuple[int, str, int]]:
    folder_text, n, seed, start, stop = job
    folder = Path(folder_text)
    template = _template()
    written: list[tuple[int, str, int]] = []
    for number in range(start, stop):
        entry = _build_entry(seed, number, n, template)
        text = new_document(template).render(entry)
        name = entry_filename(number, entry.title)
        (folder / name).write_text(text, encoding="utf-8")
        written.append((number, name, len(text.encode("utf-8"))))
    return written


def _default_workers() -> int:
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


def generate(
    folder: Path,
    n: int,
    seed: int = 1234,
    *,
    workers: int | None = None,
    chunk: int = _CHUNK,
    parallel_from: int = _PARALLEL_FROM,
) -> list[Path]:
    """Write ``n`` entries ``001-...md`` .. into ``folder`` (created if missing).

    Returns the paths in number order. The files depend only on ``(n, seed)``. Rendering
    goes through the app's own serialiser, which is the slow part, so runs of at least
    ``parallel_from`` entries are spread over ``workers`` processes (default: the usable
    CPUs) in chunks of ``chunk`` entries; the output is the same whatever the split.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    workers = _default_workers() if workers is None else max(1, workers)
    jobs = [
        (str(folder), n, seed, start, min(start + chunk, n + 1))
        for start in range(1, n + 1, max(1, chunk))
    ]
    results: list[tuple[int, str, int]] = []
    if workers == 1 or n < parallel_from or len(jobs) < 2:
        for job in jobs:
            results.extend(_write_range(job))
    else:
        method = "fork" if "fork" in get_all_start_methods() and sys.platform == "linux" else None
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context(method)) as pool:
            for part in pool.map(_write_range, jobs):
                results.extend(part)
    results.sort()
    return [folder / name for _, name, _ in results]


# ---------------------------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="synth.py",
        description="Write a folder of synthetic, deterministic mistake entries for benchmarks.",
    )
    parser.add_argument("--entries", "-n", type=int, required=True, help="how many entries")
    parser.add_argument("--out", "-o", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=1234, help="random seed (default 1234)")
    parser.add_argument(
        "--force",
        action="store_true",
        help="write into a folder that is not empty; its NNN-*.md entry files are removed first",
    )
    parser.add_argument("--workers", type=int, default=None, help="processes (default: CPUs)")
    args = parser.parse_args(argv)
    if args.entries < 0:
        parser.error("--entries must not be negative")
    out: Path = args.out
    if out.exists() and not out.is_dir():
        parser.error(f"{out} exists and is not a folder")
    if out.is_dir() and any(out.iterdir()):
        if not args.force:
            parser.error(f"{out} is not empty (use --force to write into it anyway)")
        for old in out.iterdir():
            if parse_entry_filename(old.name) is not None and old.is_file():
                old.unlink()
    started = time.perf_counter()
    paths = generate(out, args.entries, args.seed, workers=args.workers)
    seconds = time.perf_counter() - started
    total = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} entries, {total / 1_000_000:.1f} MB, {seconds:.2f} s -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
