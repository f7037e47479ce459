DROP TABLE referral_drafts;
DROP TABLE obligations;
DROP TABLE contracts;
DROP TABLE service_packages;
