CREATE DATABASE lab_analytics;
CREATE TABLE lab_analytics.page_views (day Date, page String, country String, views UInt32) ENGINE = MergeTree() ORDER BY (day, page);
INSERT INTO lab_analytics.page_views VALUES ('2024-03-01', '/pricing', 'DE', 120), ('2024-03-01', '/signup', 'FR', 45), ('2024-03-02', '/pricing', 'NL', 98), ('2024-03-02', '/docs/api', 'DE', 230), ('2024-03-03', '/checkout', 'IT', 17);
