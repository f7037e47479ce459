ALTER TABLE visits DROP COLUMN self_paid;
DROP TABLE ltc_assessments;
