-- DuckDB views over the lake. Loaded by sql/catalog.py (`open_catalog`), which fills in the placeholders
-- and runs this file on every open, so the views always point at the lake by an ABSOLUTE path.
-- This file is a template and does not run in plain `duckdb`: `flywheel sql` prints it filled in for a lake
-- (sql.catalog.portable_sql), SQL any DuckDB client runs. Column meanings: docs/COLUMNS.md.
--
-- Placeholders (the only ones; DuckDB struct literals such as {'a': 1} are left alone):
--   {table:<name>} a table expression for lake table <name>, one of sql.catalog.LAKE_TABLES (the tables of
--                 datalake.tables.TABLES, plus runs):
--                   parquet tables -> read_parquet('<lake>/<name>/dt=*/part-*.parquet', hive_partitioning = true,
--                                     union_by_name = true, hive_types = {'dt': 'DATE'}) with every column
--                                     of the pydantic model (typed NULL where no file has it yet) plus `dt`;
--                   runs           -> the JSON manifests <lake>/_runs/*.json parsed with the RunManifest
--                                     columns, plus manifest_uri and manifest_valid.
--                 When a table has no files yet it expands to an empty relation with the same columns and
--                 types (derived from the pydantic model through schemas.arrow.arrow_schema).
--   {lake}        the absolute lake root, escaped for use inside a single-quoted SQL string.
--
-- The globs are rooted at <lake>/<table>/dt=*/ and only match part-*.parquet, so <lake>/_staging,
-- <lake>/_trash and temporary or hidden files are never read; of those files, a parquet table keeps only the
-- ones its date's commit record (<lake>/_commits/dt=*.json) names, so no view ever mixes two runs of a date
-- (a date without a record, from before commit records, reads its files without a run id in their name).
-- Views bind their files when queried; a table that was empty at open time stays empty until the next open.


-- Silver: one row per scrubbed conversation; `dt` comes from the hive path.
CREATE OR REPLACE VIEW conversations AS
SELECT * FROM {table:conversations};


-- One row per turn, with its conversation's keys, its label and the ids of the rules that decided it.
CREATE OR REPLACE VIEW turns AS
SELECT
    c.dt,
    c.conversation_id,
    c.source,
    c.user_hash,
    c.row_id                                  AS conversation_row_id,
    c.t.turn_index                            AS turn_index,
    c.t.message_id                            AS message_id,
    c.t.parent_id                             AS parent_id,
    c.t."role"                                AS "role",
    c.t."content"                             AS "content",
    c.t."timestamp"                           AS "timestamp",
    c.t.model                                 AS model,
    c.t.category                              AS category,
    c.t."language"                            AS "language",
    c.t."label"                               AS "label",
    c.t.quality_score                         AS quality_score,
    c.t.label_source                          AS label_source,
    c.t.judge_status                          AS judge_status,
    [d.rule_id FOR d IN c.t.decisions]        AS rule_ids,
    [f.kind FOR f IN c.t.feedback]            AS feedback_kinds,
    coalesce(len(c.t.feedback), 0)            AS n_feedback,
    c.t.feedback                              AS feedback,
    c.t.decisions                             AS decisions
FROM (
    SELECT dt, conversation_id, source, user_hash, row_id, unnest(turns) AS t
    FROM conversations
) AS c;


-- Silver: one row per judged turn (the judge cache too): verdict, rubric, model, tokens, and the rules'
-- label it was compared with.
CREATE OR REPLACE VIEW judgments AS
SELECT * FROM {table:judgments};


-- Signal mix per day: how often each signal (rule or judge) decided something, by label.
-- signal_family is the rule id's first part: explicit, behavioural, conversational, judge.
CREATE OR REPLACE VIEW signal_mix AS
SELECT
    t.dt,
    split_part(d.rule_id, '.', 1)            AS signal_family,
    d.rule_id,
    d."label"                                AS "label",
    count(*)                                 AS decisions,
    count(DISTINCT t.message_id)             AS turns,
    round(avg(d.confidence), 3)              AS avg_confidence
FROM (SELECT dt, message_id, unnest(decisions) AS d FROM turns WHERE "role" = 'assistant') AS t
GROUP BY ALL;


-- Rules vs judge agreement per day, on the turns both had a say on (calibration samples and turns the
-- rules had only weakly labeled): the judge's verdict mapped to a label like transforms/label/verdicts.py does.
CREATE OR REPLACE VIEW judge_agreement AS
WITH judged AS (
    SELECT
        dt, reason, rules_label,
        CASE WHEN satisfaction = 'dissatisfied' OR quality <= 4 THEN 'negative'
             WHEN quality >= 7 THEN 'positive'
             ELSE 'neutral' END AS judge_label
    FROM judgments
    WHERE status = 'ok' AND rules_label IN ('positive', 'negative', 'neutral')
)
SELECT
    dt, reason, rules_label, judge_label,
    count(*)                                 AS turns,
    rules_label = judge_label                AS agree
FROM judged
GROUP BY ALL;


-- Gold: one row per SFT example (`messages` is list<struct<role, content>>, the last message is the target).
CREATE OR REPLACE VIEW sft AS
SELECT * FROM {table:sft};


-- Training-set mix per day: SFT examples by task category, language and derivation, with the mean
-- upsampling weight and quality (what the balance policy in Settings.training acts on).
CREATE OR REPLACE VIEW sft_mix AS
SELECT
    dt,
    coalesce(category, 'unknown')            AS category,
    coalesce("language", 'unknown')          AS "language",
    derivation,
    count(*)                                 AS examples,
    round(avg(sample_weight), 3)             AS avg_sample_weight,
    round(avg(quality_score), 3)             AS avg_quality
FROM sft
GROUP BY ALL;


-- Gold: preference rows. kind = 'dpo' (prompt, chosen, rejected) or 'kto' (prompt, completion, desirable);
-- derivation says how the pair came about (thumbs, rating, regeneration, user_edit, judge_correction).
CREATE OR REPLACE VIEW preferences AS
SELECT * FROM {table:preferences};


-- One row per run manifest under <lake>/_runs/. `counts` and `pii_counts` are MAP(VARCHAR, BIGINT):
-- counts['rows.sft'] gives one stage's count (the keys: README, Run manifests). A manifest that is not valid
-- JSON (or has no run_id) still shows up, with status 'invalid-manifest', instead of breaking the view.
CREATE OR REPLACE VIEW runs AS
SELECT
    coalesce(run_id, regexp_extract(manifest_uri, '([^/\\]+)\.json$', 1))      AS run_id,
    flow,
    TRY_CAST(dt AS DATE)                                                     AS dt,
    CASE WHEN manifest_valid THEN status ELSE 'invalid-manifest' END          AS status,
    started_at,
    finished_at,
    round(epoch(finished_at) - epoch(started_at), 3)                          AS duration_s,
    judge_mode,
    config_hash,
    counts,
    pii_counts,
    len(inputs)                                                              AS n_inputs,
    list_sum([i.lines FOR i IN inputs])::BIGINT                              AS input_lines,
    -- File names can hold an email: manifests name files by a hash (schemas.outputs.scrub_source_uri); one
    -- written before that is scrubbed the same way here (what follows the day directory, sha256, 16 hex).
    [CASE WHEN regexp_matches(i.uri, '(^|/)file-[0-9a-f]{16}(\.jsonl(\.gz)?)?$') THEN i
          WHEN NOT regexp_matches(i.uri, '(^|/)(dt=)?\d{4}-\d{2}-\d{2}/.') THEN
               struct_update(i, uri := regexp_replace(i.uri, '[^/]*$', '') || 'file-'
                                     || sha256(regexp_extract(i.uri, '[^/]*$'))[:16]
                                     || regexp_extract(i.uri, '(\.jsonl(\.gz)?)$', 1))
          ELSE struct_update(i, uri := regexp_replace(i.uri, '^(.*(^|/)(dt=)?\d{4}-\d{2}-\d{2})/.+$', '\1')
                                     || '/file-' || sha256(regexp_extract(i.uri, '^.*(^|/)(dt=)?\d{4}-\d{2}-\d{2}/(.+)$', 3))[:16]
                                     || regexp_extract(i.uri, '(\.jsonl(\.gz)?)$', 1))
     END FOR i IN inputs]                                                    AS inputs,
    versions,
    error,
    error_type,  -- a failed run: the exception's class, and whether it was retried as transient (flows/retry.py)
    transient,
    schema_version,
    manifest_uri
FROM {table:runs};


-- PII found and replaced, per entity type and day. Counts only: never the values.
CREATE OR REPLACE VIEW pii_summary AS
SELECT
    dt,
    e.entity_type                             AS entity_type,
    sum(e.count)::BIGINT                      AS entities,
    count(DISTINCT conversation_id)           AS conversations
FROM (
    SELECT dt, conversation_id, unnest(pii_entities) AS e
    FROM conversations
)
WHERE e.count > 0
GROUP BY dt, e.entity_type
ORDER BY dt, entity_type;


-- Per day: assistant turns per label (assistant turns without a label count as 'unlabeled').
CREATE OR REPLACE VIEW label_summary AS
SELECT
    dt,
    coalesce("label", 'unlabeled')            AS "label",
    count(*)                                  AS assistant_turns,
    round(count(*) / sum(count(*)) OVER (PARTITION BY dt), 4) AS share
FROM turns
WHERE "role" = 'assistant'
GROUP BY dt, coalesce("label", 'unlabeled')
ORDER BY dt, "label";
