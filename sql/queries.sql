-- Example analyst queries over the catalog views (sql/views.sql). Each starts with `-- name: <name>`;
-- sql.catalog.named_queries() returns them by name. Run one with e.g. `flywheel query "<sql>"` or paste it
-- into the stock `duckdb` CLI after `.read catalog.sql` (the output of `flywheel sql`).
-- tests/sql/test_portable_sql.py runs each one there over a generated lake.

-- name: daily_label_mix
-- Per day: assistant turns and how they were labeled, with the positive rate among decided turns.
SELECT
    dt,
    count(*)                                              AS assistant_turns,
    count(*) FILTER (WHERE "label" = 'positive')          AS positive,
    count(*) FILTER (WHERE "label" = 'negative')          AS negative,
    count(*) FILTER (WHERE "label" = 'neutral')           AS neutral,
    count(*) FILTER (WHERE "label" = 'unknown' OR "label" IS NULL) AS undecided,
    round(count(*) FILTER (WHERE "label" = 'positive')
          / nullif(count(*) FILTER (WHERE "label" IN ('positive', 'negative')), 0), 3) AS positive_rate
FROM turns
WHERE "role" = 'assistant'
GROUP BY dt
ORDER BY dt;

-- name: sft_per_day
-- Training examples written per day and source, with the average context length.
SELECT dt, source, count(*) AS examples, round(avg(len(messages)), 2) AS avg_messages
FROM sft
GROUP BY ALL
ORDER BY dt, source;

-- name: rules_by_label
-- Which rules decide labels, and how often.
SELECT d.rule_id AS rule_id, d."label" AS "label", count(*) AS decisions, round(avg(d.confidence), 3) AS avg_confidence
FROM (SELECT unnest(decisions) AS d FROM turns WHERE "role" = 'assistant')
GROUP BY ALL
ORDER BY decisions DESC, rule_id;

-- name: feedback_kinds
-- Feedback events per day and kind (thumbs, regenerate, edit, ...).
SELECT dt, kind, count(*) AS events
FROM (SELECT dt, unnest(feedback_kinds) AS kind FROM turns)
GROUP BY ALL
ORDER BY dt, events DESC;

-- name: label_mix_by_model
-- Label mix per answering model over the whole lake.
SELECT coalesce(model, '(unknown)') AS model, coalesce("label", 'unlabeled') AS "label", count(*) AS turns
FROM turns
WHERE "role" = 'assistant'
GROUP BY ALL
ORDER BY model, turns DESC;

-- name: pii_by_day
-- PII entities found and replaced per day and type (counts only).
SELECT dt, entity_type, entities, conversations
FROM pii_summary
ORDER BY dt, entities DESC;

-- name: run_history
-- The latest runs with their status, duration and per-stage counts.
SELECT run_id, flow, dt, status, started_at, duration_s, judge_mode, counts
FROM runs
ORDER BY started_at DESC NULLS LAST
LIMIT 20;
