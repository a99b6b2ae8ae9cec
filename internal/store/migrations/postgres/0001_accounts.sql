-- Reps, customer accounts with their contacts, and orders.

CREATE TABLE reps (
    id                  BIGSERIAL PRIMARY KEY,
    email               TEXT NOT NULL UNIQUE,
    name                TEXT NOT NULL DEFAULT '',
    active              BOOLEAN NOT NULL DEFAULT TRUE,
    weight              INTEGER NOT NULL DEFAULT 1,
    capacity            INTEGER NOT NULL DEFAULT 0,
    territories         TEXT NOT NULL DEFAULT '[]',
    skills              TEXT NOT NULL DEFAULT '[]',
    timezone            TEXT NOT NULL DEFAULT 'UTC',
    working_hours       TEXT NOT NULL DEFAULT '',
    out_of_office_until TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL,
    updated_at          TIMESTAMPTZ NOT NULL
);

CREATE TABLE customers (
    id           BIGSERIAL PRIMARY KEY,
    external_id  TEXT UNIQUE,
    name         TEXT NOT NULL,
    domain       TEXT NOT NULL DEFAULT '',
    country      TEXT NOT NULL DEFAULT '',
    region       TEXT NOT NULL DEFAULT '',
    phone        TEXT NOT NULL DEFAULT '',
    notes        TEXT NOT NULL DEFAULT '',
    owner_rep_id BIGINT REFERENCES reps(id) ON DELETE SET NULL,
    opted_out    BOOLEAN NOT NULL DEFAULT FALSE,
    opted_out_at TIMESTAMPTZ,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX customers_domain_idx ON customers (domain);
CREATE INDEX customers_owner_idx ON customers (owner_rep_id);

CREATE TABLE contacts (
    id          BIGSERIAL PRIMARY KEY,
    customer_id BIGINT NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    email       TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL DEFAULT '',
    phone       TEXT NOT NULL DEFAULT '',
    title       TEXT NOT NULL DEFAULT '',
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX contacts_customer_idx ON contacts (customer_id);

CREATE TABLE orders (
    id                BIGSERIAL PRIMARY KEY,
    customer_id       BIGINT NOT NULL REFERENCES customers(id) ON DELETE RESTRICT,
    number            TEXT NOT NULL UNIQUE,
    status            TEXT NOT NULL,
    currency          TEXT NOT NULL DEFAULT '',
    amount_cents      BIGINT NOT NULL DEFAULT 0,
    promised_date     DATE,
    tracking_number   TEXT NOT NULL DEFAULT '',
    tracking_url      TEXT NOT NULL DEFAULT '',
    notes             TEXT NOT NULL DEFAULT '',
    status_changed_at TIMESTAMPTZ NOT NULL,
    created_at        TIMESTAMPTZ NOT NULL,
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id, status);

CREATE TABLE order_items (
    id               BIGSERIAL PRIMARY KEY,
    order_id         BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position         INTEGER NOT NULL DEFAULT 0,
    sku              TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    quantity         INTEGER NOT NULL DEFAULT 1,
    unit_price_cents BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX order_items_order_idx ON order_items (order_id, position);

CREATE TABLE order_status_history (
    id         BIGSERIAL PRIMARY KEY,
    order_id   BIGINT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    status     TEXT NOT NULL,
    note       TEXT NOT NULL DEFAULT '',
    source     TEXT NOT NULL DEFAULT '',
    changed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, changed_at);
