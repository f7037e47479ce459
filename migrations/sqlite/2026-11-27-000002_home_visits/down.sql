DROP TABLE visits;
DROP TABLE visit_plans;
