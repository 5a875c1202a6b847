-- ferry:up
DO $body$ BEGIN
  -- ferry:finish
END $body$;
