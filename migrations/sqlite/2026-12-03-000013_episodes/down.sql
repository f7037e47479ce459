DROP INDEX obligations_source;
ALTER TABLE referrals DROP COLUMN follow_up_episode_id;
DROP TABLE episodes;
