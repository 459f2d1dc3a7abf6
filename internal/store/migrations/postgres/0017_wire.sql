-- Agency copy: who is credited for a story (an agency, a photographer's
-- desk), and for stories that came in over a wire feed, the agency's
-- identifier of the item and the time of the version last taken, so that
-- a later version updates the story instead of making a second one.
ALTER TABLE stories ADD COLUMN credit TEXT NOT NULL DEFAULT '';
ALTER TABLE stories ADD COLUMN wire_uri TEXT;
ALTER TABLE stories ADD COLUMN wire_version TIMESTAMPTZ;
CREATE UNIQUE INDEX stories_wire_uri ON stories (wire_uri);
