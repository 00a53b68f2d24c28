"""民生·创城 rules, one module per subject; callers import the module they need:

* `cases` — the 创城 case workflow (CASE_FLOW): report, accept, dispatch, handle, verify, merge, supervision;
* `commitments` — the 民生清单: progress reports, milestones, the status they lead to (COMMITMENT_FLOW);
* `volunteers` — activities, sign-ups, check-in and check-out;
* `catalogue` — 字典管理: case categories and campaign actions.

Read-side aggregates (KPIs, boards, the map, a volunteer's record) live in `civic/queries.py`."""
