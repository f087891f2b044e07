"""Human review: people read sampled lake rows, judge them against a written guideline, and their verdicts
flow back into exports and into how far rules and the judge are trusted.

    guidelines.py + guidelines/<kind>.md   the written standard per item kind (versioned), with reason codes
    queue.py      `flywheel review sample`: which items a reviewer reads next (stratified, disagreement, random)
    verdicts.py   one verdict recorded, and `flywheel review import` of verdict files
    web.py        `flywheel review serve`: the reviewing web app (templates/, static/)
    agreement.py  `flywheel review agreement`: reviewers vs each other, the rules and the judge

The verdicts live in the lake's `reviews` table (`datalake.reviews`). This package sits above `datalake/`,
`schemas/`, `sql/` and `transforms/` (it scrubs reviewer text with `transforms.scrub`); none of them imports it.
Only scrubbed text is ever shown: queues are read from the lake's tables, never from raw logs.
"""

# The review web app's access token, when not given as --token (a flag shows in `ps`; the environment does not).
TOKEN_ENV = "FLYWHEEL_REVIEW_TOKEN"
