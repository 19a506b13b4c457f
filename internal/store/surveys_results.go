package store

import "context"

// AreaCodeKnown reports whether code is an area of one of the
// organisation's layers, and whether the organisation has any area at all
// (a survey's area answers are checked only then). Two index lookups: it
// never reads the areas' geometry, unlike Areas, which makes it cheap
// enough for every response submission.
func (s *Store) AreaCodeKnown(ctx context.Context, orgID int64, code string) (known, anyAreas bool, err error) {
	var n, m int
	err = s.queryRow(ctx, s.r, `SELECT
		(SELECT count(*) FROM area_layers l JOIN areas a ON a.layer_id = l.id AND a.code = $2 WHERE l.org_id = $1),
		(SELECT count(*) FROM area_layers l WHERE l.org_id = $1 AND EXISTS (SELECT 1 FROM areas a WHERE a.layer_id = l.id))`, orgID, code).Scan(&n, &m)
	return n > 0, m > 0, err
}
