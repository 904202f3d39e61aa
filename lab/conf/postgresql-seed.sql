-- ajar lab seed for PostgreSQL (open and secured instances).
-- Invented people only; all e-mail addresses use the reserved .invalid TLD.
-- Idempotent: safe to run on every start.
SELECT 'CREATE DATABASE lab_shop' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'lab_shop')
\gexec
\connect lab_shop
CREATE TABLE IF NOT EXISTS customers (
    id         integer PRIMARY KEY,
    full_name  text    NOT NULL,
    email      text    NOT NULL,
    city       text    NOT NULL,
    created_at date    NOT NULL
);
INSERT INTO customers (id, full_name, email, city, created_at) VALUES
    (1, 'Ada Example',        'ada@example.invalid',     'Exampleville',   '2024-01-15'),
    (2, 'Bruno Sample',       'bruno@example.invalid',   'Sampleton',      '2024-02-03'),
    (3, 'Chiara Placeholder', 'chiara@example.invalid',  'Placeholder Bay','2024-03-21'),
    (4, 'Dmitri Testcase',    'dmitri@example.invalid',  'Fixture Falls',  '2024-04-09'),
    (5, 'Emeka Fictional',    'emeka@example.invalid',   'Mockford',       '2024-05-30')
ON CONFLICT (id) DO NOTHING;
