DROP TABLE complaints;
DROP TABLE visit_feedback;
