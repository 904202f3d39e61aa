-- ajar lab seed for MariaDB (open and secured instances).
-- Invented people and companies only; e-mails use the reserved .invalid TLD,
-- phone numbers use the fictional 555-01xx range. Idempotent.
CREATE DATABASE IF NOT EXISTS lab_crm CHARACTER SET utf8mb4;
USE lab_crm;
CREATE TABLE IF NOT EXISTS contacts (
    id        INT PRIMARY KEY,
    full_name VARCHAR(100) NOT NULL,
    email     VARCHAR(200) NOT NULL,
    phone     VARCHAR(40)  NOT NULL,
    company   VARCHAR(100) NOT NULL
);
INSERT IGNORE INTO contacts (id, full_name, email, phone, company) VALUES
    (1, 'Ada Example',        'ada@example.invalid',    '+1-202-555-0101', 'Example Widgets Ltd'),
    (2, 'Bruno Sample',       'bruno@example.invalid',  '+1-202-555-0102', 'Sample & Sons'),
    (3, 'Chiara Placeholder', 'chiara@example.invalid', '+1-202-555-0103', 'Placeholder GmbH'),
    (4, 'Dmitri Testcase',    'dmitri@example.invalid', '+1-202-555-0104', 'Testcase Labs'),
    (5, 'Emeka Fictional',    'emeka@example.invalid',  '+1-202-555-0105', 'Fictional Foods');
CREATE TABLE IF NOT EXISTS deals (
    id         INT PRIMARY KEY,
    contact_id INT NOT NULL,
    title      VARCHAR(200) NOT NULL,
    amount_eur DECIMAL(10,2) NOT NULL,
    stage      VARCHAR(20) NOT NULL
);
INSERT IGNORE INTO deals (id, contact_id, title, amount_eur, stage) VALUES
    (1, 1, 'Widget subscription renewal', 1200.00, 'won'),
    (2, 3, 'Placeholder pilot project',   4500.00, 'proposal'),
    (3, 4, 'Testcase support contract',    800.00, 'lead');
