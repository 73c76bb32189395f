-- A drill run: timed steps against budgets, prepared state, restores, verdict; and the history of budget changes.
ALTER TABLE drill
    ADD COLUMN keep_restored    boolean     NOT NULL DEFAULT false,
    ADD COLUMN use_newest       boolean     NOT NULL DEFAULT false,
    ADD COLUMN manual_steps     text        NOT NULL DEFAULT 'skip',
    ADD COLUMN steps            jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN prepared         jsonb,
    ADD COLUMN restores         jsonb,
    ADD COLUMN verdict          text,
    ADD COLUMN reasons          jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN rto_seconds      double precision,
    ADD COLUMN rpo_seconds      double precision,
    ADD COLUMN throughput_bps   double precision,
    ADD COLUMN error            text,
    ADD COLUMN owner_instance   text,
    ADD COLUMN heartbeat_at     timestamptz,
    ADD COLUMN actor            text,
    ADD COLUMN debrief          jsonb;

CREATE TABLE scenario_budget_change (
    id              bigserial   PRIMARY KEY,
    scenario        text        NOT NULL REFERENCES scenario (name),
    step            text        NOT NULL,
    old_seconds     bigint      NOT NULL,
    new_seconds     bigint      NOT NULL,
    drill_id        text        NOT NULL,
    changed_at      timestamptz NOT NULL,
    changed_by      text
);
