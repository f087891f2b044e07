-- DuckDB views over the lake. Loaded by sql/catalog.py (`open_catalog`), which fills in the placeholders
-- and runs this file on every open, so the views always point at the lake by an ABSOLUTE path.
-- This file is a template and does not run in plain `duckdb`: `flywheel sql` prints it filled in for a lake
-- (sql.catalog.portable_sql), SQL any DuckDB client runs. Column meanings: docs/COLUMNS.md.
--
-- Placeholders (the only ones; DuckDB struct literals such as {'a': 1} are left alone):
--   {table:<name>} a table expression for lake table <name>, one of sql.catalog.LAKE_TABLES (the tables of
--                 datalake.tables.TABLES and REVIEW_TABLES, plus runs):
--                   parquet tables -> read_parquet('<lake>/<name>/dt=*/part-*.parquet', hive_partitioning = true,
--                                     union_by_name = true, hive_types = {'dt': 'DATE'}) with every column
--                                     of the pydantic model (typed NULL where no file has it yet) plus `dt`;
--                   reviews        -> read_parquet('<lake>/reviews/part-*.parquet'): every file (append-only,
--                                     no dates, no commit records), the Review columns plus source_file and
--                                     file_row (the order rows were appended in);
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


-- People's verdicts (datalake.reviews; `flywheel review`): one row per verdict, append-only. `reviewer` is a
-- keyed hash, never a name; `fixed_answer` is scrubbed. A reviewer changing their mind is a later row.
CREATE OR REPLACE VIEW reviews AS
SELECT * FROM {table:reviews};


-- Each reviewer's latest verdict per item (the one that counts): later rows replace earlier ones; rows of one
-- instant keep the order they were appended in.
CREATE OR REPLACE VIEW latest_reviews AS
SELECT * EXCLUDE (newest)
FROM (
    SELECT *, row_number() OVER (PARTITION BY item_kind, item_id, reviewer
                                 ORDER BY reviewed_at DESC, source_file DESC, file_row DESC) AS newest
    FROM reviews
)
WHERE newest = 1;


-- Per reviewed item, the decision `flywheel export` acts on (datalake.reviews.item_decisions): any reviewer's
-- reject rejects it, else the latest fix gives its answer, else it is accepted.
CREATE OR REPLACE VIEW review_decisions AS
WITH decided AS (
    SELECT *,
        CASE WHEN bool_or(verdict = 'reject') OVER item THEN 'reject'
             WHEN bool_or(verdict = 'fix') OVER item THEN 'fix'
             ELSE 'accept' END                                     AS decision,
        count(*) OVER item                                         AS reviewers,
        bool_or(strategy = 'random') OVER item                     AS random_sample
    FROM latest_reviews
    WINDOW item AS (PARTITION BY item_kind, item_id)
)
SELECT
    item_kind, item_id, item_day, decision,
    CASE WHEN decision = 'fix' THEN fixed_answer END               AS fixed_answer,
    reason,
    reviewer                                                       AS decided_by,
    review_id, reviewers, random_sample, reviewed_at
FROM decided
WHERE verdict = decision
QUALIFY row_number() OVER (PARTITION BY item_kind, item_id
                           ORDER BY reviewed_at DESC, source_file DESC, file_row DESC) = 1;


-- Cohen's kappa per pair of reviewers and item kind, on the items both reviewed (each one's latest verdict;
-- categories accept, reject, fix): (observed - chance agreement) / (1 - chance), NULL when chance is 1.
CREATE OR REPLACE VIEW review_agreement AS
WITH pairs AS (
    SELECT a.item_kind, a.reviewer AS reviewer_a, b.reviewer AS reviewer_b, a.verdict AS verdict_a,
           b.verdict AS verdict_b
    FROM latest_reviews AS a
    JOIN latest_reviews AS b ON a.item_kind = b.item_kind AND a.item_id = b.item_id AND a.reviewer < b.reviewer
), counted AS (
    SELECT
        item_kind, reviewer_a, reviewer_b,
        count(*)                                                   AS items,
        count(*) FILTER (WHERE verdict_a = verdict_b)                            AS agreed,
        (count(*) FILTER (WHERE verdict_a = 'accept') * count(*) FILTER (WHERE verdict_b = 'accept')
         + count(*) FILTER (WHERE verdict_a = 'reject') * count(*) FILTER (WHERE verdict_b = 'reject')
         + count(*) FILTER (WHERE verdict_a = 'fix') * count(*) FILTER (WHERE verdict_b = 'fix')) / (count(*) * count(*)) AS chance_agreement
    FROM pairs
    GROUP BY ALL
)
SELECT
    item_kind, reviewer_a, reviewer_b, items, agreed,
    round(agreed / items, 4)                                       AS observed_agreement,
    round(chance_agreement, 4)                                     AS chance_agreement,
    CASE WHEN chance_agreement < 1
         THEN round((agreed / items - chance_agreement) / (1 - chance_agreement), 4) END AS kappa
FROM counted
ORDER BY item_kind, reviewer_a, reviewer_b;


-- Fleiss' kappa per item kind over the items three or more reviewers reviewed (latest verdicts; categories
-- accept, reject, fix). Items may have different numbers of reviewers: each item's agreement is the share of
-- its reviewer pairs that agree, chance agreement comes from the pooled verdict shares.
CREATE OR REPLACE VIEW review_fleiss AS
WITH per_item AS (
    SELECT item_kind, item_id, count(*) AS n,
           count(*) FILTER (WHERE verdict = 'accept') AS n_accept, count(*) FILTER (WHERE verdict = 'reject') AS n_reject,
           count(*) FILTER (WHERE verdict = 'fix') AS n_fix
    FROM latest_reviews
    GROUP BY ALL
    HAVING count(*) >= 3
), counted AS (
    SELECT
        item_kind,
        count(*)                                                   AS items,
        sum(n)::BIGINT                                             AS verdicts,
        min(n)                                                     AS min_reviewers,
        max(n)                                                     AS max_reviewers,
        avg((n_accept * n_accept + n_reject * n_reject + n_fix * n_fix - n) / (n * (n - 1))) AS observed_agreement,
        (sum(n_accept) / sum(n)) ** 2 + (sum(n_reject) / sum(n)) ** 2 + (sum(n_fix) / sum(n)) ** 2 AS chance_agreement
    FROM per_item
    GROUP BY item_kind
)
SELECT
    item_kind, items, verdicts, min_reviewers, max_reviewers,
    round(observed_agreement, 4)                                   AS observed_agreement,
    round(chance_agreement, 4)                                     AS chance_agreement,
    CASE WHEN chance_agreement < 1
         THEN round((observed_agreement - chance_agreement) / (1 - chance_agreement), 4) END AS kappa
FROM counted
ORDER BY item_kind;


-- Per reviewed item: its decision beside what the rules and the judge said about the same answer, a logged
-- assistant turn: an SFT example's target (derivation 'original' only: a corrected answer is not the turn the
-- rules labeled), a KTO row's logged completion, a judgment's judged turn. Other items (corrected answers,
-- DPO pairs) keep their category and decision only. rules_label: the rules' label of the turn (before the
-- judge, for a judged turn); judge_label: the judge's verdict as a label (mapped as in judge_agreement);
-- reviewer_label: the label the review gives the answer (review/guidelines/*.md): SFT accept -> positive, fix
-- or a reject for the answer's quality -> negative; KTO accept -> its desirable flag, fix -> negative, reject
-- wrong_order -> the other flag; judgment accept -> the judge's label, reject too_positive / too_negative ->
-- negative / positive. A reject for another reason (unverifiable, pii_leak, bad_context, ...) says nothing
-- about the label: NULL. `decisions`: every signal's decision on the turn.
CREATE OR REPLACE VIEW review_labels AS
WITH judged AS (
    SELECT conversation_id, message_id, rules_label,
           CASE WHEN satisfaction = 'dissatisfied' OR quality <= 4 THEN 'negative'
                WHEN quality >= 7 THEN 'positive'
                ELSE 'neutral' END                                 AS judge_label
    FROM judgments
    WHERE status = 'ok'
    QUALIFY row_number() OVER (PARTITION BY conversation_id, message_id ORDER BY judged_at DESC, judgment_id) = 1
), items AS (
    SELECT d.*, s.category, s."language", s.derivation, s.conversation_id,
           CASE WHEN s.derivation = 'original' THEN s.target_message_id END AS message_id,
           NULL::BOOLEAN AS desirable
    FROM review_decisions AS d JOIN sft AS s ON d.item_kind = 'sft' AND s.example_id = d.item_id AND s.dt = d.item_day
    UNION ALL BY NAME
    SELECT d.*, p.category, p."language", p.derivation, p.conversation_id,
           CASE WHEN p.kind = 'kto' THEN p.chosen_message_id END AS message_id, p.desirable
    FROM review_decisions AS d
    JOIN preferences AS p ON d.item_kind = 'preference' AND p.pair_id = d.item_id AND p.dt = d.item_day
    UNION ALL BY NAME
    SELECT d.*, NULL AS category, NULL AS "language", NULL AS derivation, j.conversation_id, j.message_id,
           NULL::BOOLEAN AS desirable
    FROM review_decisions AS d
    JOIN judgments AS j ON d.item_kind = 'judgment' AND j.judgment_id = d.item_id AND j.dt = d.item_day
), labeled AS (
    SELECT
        i.*, t.message_id AS turn_message_id, t.category AS turn_category, t."language" AS turn_language,
        CASE WHEN j.rules_label IS NOT NULL THEN j.rules_label
             WHEN t.label_source = 'rules' THEN t."label" END      AS rules_label,
        j.judge_label,
        t.decisions
    FROM items AS i
    LEFT JOIN turns AS t
           ON t.dt = i.item_day AND t.conversation_id = i.conversation_id AND t.message_id = i.message_id
    LEFT JOIN judged AS j
           ON t.message_id IS NOT NULL AND j.conversation_id = i.conversation_id AND j.message_id = i.message_id
)
SELECT
    item_kind, item_id, item_day, decision, reason, reviewers, random_sample,
    coalesce(category, turn_category)                              AS category,
    coalesce("language", turn_language)                            AS "language",
    derivation, rules_label, judge_label,
    CASE WHEN turn_message_id IS NULL THEN NULL
         WHEN item_kind = 'sft' THEN
              CASE WHEN decision = 'accept' THEN 'positive'
                   WHEN decision = 'fix' OR reason IN ('incorrect', 'unhelpful', 'unsafe', 'malformed') THEN 'negative' END
         WHEN item_kind = 'preference' THEN
              CASE WHEN decision = 'accept' THEN CASE WHEN desirable THEN 'positive' ELSE 'negative' END
                   WHEN decision = 'fix' THEN 'negative'
                   WHEN reason = 'wrong_order' THEN CASE WHEN desirable THEN 'negative' ELSE 'positive' END END
         WHEN item_kind = 'judgment' THEN
              CASE WHEN decision = 'accept' OR reason = 'wrong_reasoning' THEN judge_label
                   WHEN reason = 'too_positive' THEN 'negative'
                   WHEN reason = 'too_negative' THEN 'positive' END
    END                                                            AS reviewer_label,
    coalesce(decisions, [])                                        AS decisions
FROM labeled;


-- Reviewers vs rules vs judge per item kind and task category: decisions, and how often the rules' and the
-- judge's label of the answer agreed with review_labels.reviewer_label (two labels agree when both are negative
-- or neither is; items without a reviewer_label, or without that label, are not compared).
CREATE OR REPLACE VIEW review_vs_labels AS
SELECT
    item_kind,
    coalesce(category, 'unknown')                                  AS category,
    count(*)                                                       AS items,
    count(*) FILTER (WHERE decision = 'accept')                                  AS accepted,
    count(*) FILTER (WHERE decision = 'reject')                                  AS rejected,
    count(*) FILTER (WHERE decision = 'fix')                                     AS fixed,
    count(*) FILTER (WHERE reviewer_label IS NOT NULL AND rules_label IN ('positive', 'neutral', 'negative')) AS rules_compared,
    count(*) FILTER (WHERE reviewer_label IS NOT NULL AND rules_label IN ('positive', 'neutral', 'negative')
             AND (rules_label = 'negative') = (reviewer_label = 'negative')) AS rules_agreed,
    count(*) FILTER (WHERE reviewer_label IS NOT NULL AND judge_label IS NOT NULL) AS judge_compared,
    count(*) FILTER (WHERE reviewer_label IS NOT NULL AND (judge_label = 'negative') = (reviewer_label = 'negative')) AS judge_agreed,
    count(*) FILTER (WHERE rules_label IN ('positive', 'neutral', 'negative') AND judge_label IS NOT NULL) AS rules_judge_compared,
    count(*) FILTER (WHERE rules_label IN ('positive', 'neutral', 'negative') AND rules_label = judge_label) AS rules_judge_agreed
FROM review_labels
GROUP BY ALL
ORDER BY item_kind, category;


-- Reviewers vs each rule (and the judge, rule_id judge.<rubric>) per item kind: on the reviewed answers a
-- rule decided, how often its label agreed with the reviewer's, and how often the judge's did. All sampling
-- strategies: for an unbiased precision take rule_precision.
CREATE OR REPLACE VIEW review_vs_rules AS
WITH decided AS (
    SELECT item_kind, reviewer_label, judge_label, unnest(decisions) AS d
    FROM review_labels
    WHERE reviewer_label IS NOT NULL
)
SELECT
    item_kind,
    d.rule_id                                                      AS rule_id,
    d."label"                                                      AS rule_label,
    count(*)                                                       AS items,
    count(*) FILTER (WHERE (d."label" = 'negative') = (reviewer_label = 'negative')) AS agreed,
    round(count(*) FILTER (WHERE (d."label" = 'negative') = (reviewer_label = 'negative')) / count(*), 4) AS agreed_share,
    count(*) FILTER (WHERE judge_label IS NOT NULL)                              AS judge_compared,
    count(*) FILTER (WHERE judge_label IS NOT NULL AND (judge_label = 'negative') = (reviewer_label = 'negative')) AS judge_agreed
FROM decided
WHERE d."label" IN ('positive', 'neutral', 'negative')
GROUP BY ALL
ORDER BY item_kind, rule_id, rule_label;


-- Each rule's precision (and the judge's) estimated from items sampled at random for review (strategy
-- 'random': an unbiased sample of the lake's answers), over every item kind whose answer is a logged turn: a
-- negative decision is right when the reviewer's label (review_labels) is negative, a positive or neutral one
-- when it is not. precision_low/high: the 95% Wilson score interval. Calibrating a rule's confidence with it:
-- README "Querying", Review views.
CREATE OR REPLACE VIEW rule_precision AS
WITH decided AS (
    SELECT reviewer_label, unnest(decisions) AS d
    FROM review_labels
    WHERE random_sample AND reviewer_label IS NOT NULL
), counted AS (
    SELECT
        split_part(d.rule_id, '.', 1)                              AS signal_family,
        d.rule_id                                                  AS rule_id,
        d."label"                                                  AS rule_label,
        count(*)                                                   AS reviewed,
        count(*) FILTER (WHERE (d."label" = 'negative') = (reviewer_label = 'negative')) AS right_decisions,
        avg(d.confidence)                                          AS avg_confidence
    FROM decided
    WHERE d."label" IN ('positive', 'neutral', 'negative')
    GROUP BY ALL
)
SELECT
    signal_family, rule_id, rule_label, reviewed, right_decisions,
    round(right_decisions / reviewed, 4)                           AS "precision",
    round((right_decisions / reviewed + 1.96 ** 2 / (2 * reviewed)
           - 1.96 * sqrt(right_decisions / reviewed * (1 - right_decisions / reviewed) / reviewed
                         + 1.96 ** 2 / (4 * reviewed * reviewed))) / (1 + 1.96 ** 2 / reviewed), 4) AS precision_low,
    round((right_decisions / reviewed + 1.96 ** 2 / (2 * reviewed)
           + 1.96 * sqrt(right_decisions / reviewed * (1 - right_decisions / reviewed) / reviewed
                         + 1.96 ** 2 / (4 * reviewed * reviewed))) / (1 + 1.96 ** 2 / reviewed), 4) AS precision_high,
    round(avg_confidence, 3)                                       AS avg_confidence
FROM counted
ORDER BY signal_family, rule_id, rule_label;
