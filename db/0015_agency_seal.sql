-- The agency's electronic seal image (印章), as PNG in base64, set by an administrator with the agency's
-- particulars (a set_agency event): issued documents of a case file signed with the agency's key carry it
-- over the agency's name; '' when none is configured (documents print "（印章）" for a paper stamp).
ALTER TABLE agency ADD COLUMN seal_png TEXT NOT NULL DEFAULT '';
