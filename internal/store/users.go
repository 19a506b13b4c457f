package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/auth"
)

// Org is an organisation: a city (or a body) with its own data and users.
type Org struct {
	ID        int64
	Slug      string
	Name      string
	MetricCRS int // EPSG code of the projected CRS used for distances and areas (0 = not chosen yet)
}

// User is an account.
type User struct {
	ID       int64
	OrgID    int64
	Email    string
	Name     string
	Role     auth.Role
	Lang     string
	Disabled bool
	Created  time.Time
}

// EnsureOrg returns the organisation with slug, creating it with name when missing.
func (s *Store) EnsureOrg(ctx context.Context, slug, name string) (Org, error) {
	var o Org
	err := s.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (slug, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (slug) DO NOTHING`, slug, name, s.now().Unix())
		if err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `SELECT id, slug, name, metric_crs FROM orgs WHERE slug = $1`, slug).Scan(&o.ID, &o.Slug, &o.Name, &o.MetricCRS)
	})
	s.orgs.drop()
	return o, err
}

// Org returns an organisation by id.
func (s *Store) Org(ctx context.Context, id int64) (Org, error) {
	var o Org
	err := s.r.QueryRowContext(ctx, `SELECT id, slug, name, metric_crs FROM orgs WHERE id = $1`, id).Scan(&o.ID, &o.Slug, &o.Name, &o.MetricCRS)
	return o, notFound(err, "organisation")
}

// orgCacheTTL bounds how long this node serves the organisation list from
// memory. Organisations are few and change rarely (added by an
// administrator, or their metric CRS chosen once); this node's own changes
// drop the cache at once, another node's (or the CLI's) show here within
// orgCacheTTL. Every request reads the list (the public organisation of the
// session middleware, Open311's jurisdiction_id), which cost about 15 % of
// an Open311 POST's CPU before the cache (docs/benchmarks.md).
const orgCacheTTL = time.Second

// orgCache is the Store's copy of the organisation list.
type orgCache struct {
	mu   sync.Mutex
	list []Org
	at   time.Time // wall clock of the read (time.Now: not the store's clock, which tests may freeze)
	gen  uint64    // bumped by every local change; a read started before one is not kept
}

func (c *orgCache) drop() {
	c.mu.Lock()
	c.list, c.gen = nil, c.gen+1
	c.mu.Unlock()
}

// Orgs lists the organisations (from the cache when it is fresh).
func (s *Store) Orgs(ctx context.Context) ([]Org, error) {
	c := &s.orgs
	c.mu.Lock()
	if c.list != nil && time.Since(c.at) < orgCacheTTL {
		out := slices.Clone(c.list)
		c.mu.Unlock()
		return out, nil
	}
	gen := c.gen
	c.mu.Unlock()
	at := time.Now()
	out, err := s.readOrgs(ctx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.gen == gen {
		c.list, c.at = slices.Clone(out), at
		if c.list == nil {
			c.list = []Org{}
		}
	}
	c.mu.Unlock()
	return out, nil
}

func (s *Store) readOrgs(ctx context.Context) ([]Org, error) {
	st, err := s.prepared(ctx, s.r, `SELECT id, slug, name, metric_crs FROM orgs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		var o Org
		if err := rows.Scan(&o.ID, &o.Slug, &o.Name, &o.MetricCRS); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// SetOrgMetricCRS records the projected CRS chosen for an organisation.
func (s *Store) SetOrgMetricCRS(ctx context.Context, orgID int64, epsg int) error {
	_, err := s.w.ExecContext(ctx, `UPDATE orgs SET metric_crs = $1 WHERE id = $2`, epsg, orgID)
	s.orgs.drop()
	return err
}

// CreateUser adds an account with an already hashed password.
func (s *Store) CreateUser(ctx context.Context, u User, passwordHash string) (User, error) {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	if u.Email == "" || !strings.Contains(u.Email, "@") {
		return u, apperr.New(apperr.Invalid, "email %q is not an email address", u.Email)
	}
	if _, ok := auth.ParseRole(string(u.Role)); !ok {
		return u, apperr.New(apperr.Invalid, "unknown role %q", u.Role)
	}
	u.Created = s.now()
	var taken int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE email = $1`, u.Email).Scan(&taken); err != nil {
		return u, err
	}
	if taken > 0 {
		return u, apperr.New(apperr.Conflict, "a user with email %s already exists", u.Email)
	}
	err := s.w.QueryRowContext(ctx, `INSERT INTO users (org_id, email, name, role, password_hash, lang, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		u.OrgID, u.Email, u.Name, string(u.Role), passwordHash, u.Lang, u.Created.Unix()).Scan(&u.ID)
	if isUniqueViolation(err) { // another node added the same email just now
		return u, apperr.New(apperr.Conflict, "a user with email %s already exists", u.Email)
	}
	return u, err
}

const userCols = `id, org_id, email, name, role, lang, disabled, created_at`

func scanUser(sc scanner) (User, error) {
	var u User
	var role string
	var created int64
	err := sc.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &role, &u.Lang, &u.Disabled, &created)
	u.Role = auth.Role(role)
	u.Created = time.Unix(created, 0).UTC()
	return u, err
}

// UserByEmail returns the user and password hash for an email.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, string, error) {
	row := s.r.QueryRowContext(ctx, `SELECT `+userCols+`, password_hash FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email)))
	var u User
	var role, hash string
	var created int64
	err := row.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &role, &u.Lang, &u.Disabled, &created, &hash)
	u.Role = auth.Role(role)
	u.Created = time.Unix(created, 0).UTC()
	return u, hash, notFound(err, "user")
}

// Users lists the accounts of an organisation (all when orgID is 0).
func (s *Store) Users(ctx context.Context, orgID int64) ([]User, error) {
	return collect(ctx, s, scanUser, `SELECT `+userCols+` FROM users WHERE (CAST($1 AS BIGINT) = 0 OR org_id = $1) ORDER BY email`, orgID)
}

// SetPassword replaces a user's password hash and ends their sessions.
func (s *Store) SetPassword(ctx context.Context, email, passwordHash string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var id int64
		if err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE email = $1`, strings.ToLower(strings.TrimSpace(email))).Scan(&id); err != nil {
			return notFound(err, "user "+email)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, passwordHash, id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, id)
		return err
	})
}

// Session is a signed-in browser.
type Session struct {
	User    User
	CSRF    string
	Expires time.Time
}

func hashToken(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// CreateSession stores a session for token (only its hash is kept).
func (s *Store) CreateSession(ctx context.Context, token string, userID int64, csrf string, ttl time.Duration) error {
	now := s.now()
	_, err := s.w.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		hashToken(token), userID, csrf, now.Unix(), now.Add(ttl).Unix())
	return err
}

// SessionByToken returns the live session for token.
func (s *Store) SessionByToken(ctx context.Context, token string) (Session, error) {
	row := s.queryRow(ctx, s.r, `SELECT u.id, u.org_id, u.email, u.name, u.role, u.lang, u.disabled, u.created_at, s.csrf, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`, hashToken(token), s.now().Unix())
	var ss Session
	var role string
	var created, exp int64
	err := row.Scan(&ss.User.ID, &ss.User.OrgID, &ss.User.Email, &ss.User.Name, &role, &ss.User.Lang, &ss.User.Disabled, &created, &ss.CSRF, &exp)
	ss.User.Role = auth.Role(role)
	ss.User.Created = time.Unix(created, 0).UTC()
	ss.Expires = time.Unix(exp, 0).UTC()
	return ss, notFound(err, "session")
}

// DeleteSession ends a session.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.w.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1 OR expires_at <= $2`, hashToken(token), s.now().Unix())
	return err
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	OrgID  int64
	UserID int64
	Actor  string
	Action string
	Target string
	Detail string
	IP     string
}

// Audit appends to the audit log.
func (s *Store) Audit(ctx context.Context, e AuditEntry) error {
	if e.At.IsZero() {
		e.At = s.now()
	}
	_, err := s.w.ExecContext(ctx, `INSERT INTO audit_log (at, org_id, user_id, actor, action, target, detail, ip) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		e.At.Unix(), nullID(e.OrgID), nullID(e.UserID), e.Actor, e.Action, e.Target, e.Detail, e.IP)
	return err
}

// AuditLog returns the newest entries first, at most limit.
func (s *Store) AuditLog(ctx context.Context, orgID int64, limit int) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, at, COALESCE(org_id, 0), COALESCE(user_id, 0), actor, action, target, detail, ip FROM audit_log
		WHERE (CAST($1 AS BIGINT) = 0 OR org_id = $1 OR org_id IS NULL) ORDER BY id DESC LIMIT $2`, orgID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.OrgID, &e.UserID, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.IP); err != nil {
			return nil, err
		}
		e.At = time.Unix(at, 0).UTC()
		out = append(out, e)
	}
	return out, rows.Err()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

const rateLimitSQL = `INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, 1)
		ON CONFLICT (bucket) DO UPDATE SET hits = CASE WHEN rate_limits.window_start = excluded.window_start THEN rate_limits.hits + 1 ELSE 1 END,
		window_start = excluded.window_start RETURNING hits`

// rateWindow is a hit's bucket and the start of its fixed window at now.
func rateWindow(now time.Time, h RateHit) (string, int64) {
	secs := int64(h.Window / time.Second)
	if secs < 1 {
		secs = 1 // windows are whole seconds
	}
	t := now.Unix()
	return h.Bucket, t - t%secs
}

// RateLimit counts one hit on bucket in a fixed window and reports whether
// the hit is within limit. Counters live in the database so that several
// nodes share them.
func (s *Store) RateLimit(ctx context.Context, bucket string, limit int, window time.Duration) (bool, error) {
	b, start := rateWindow(s.now(), RateHit{Bucket: bucket, Limit: limit, Window: window})
	var hits int
	if err := s.queryRow(ctx, s.w, rateLimitSQL, b, start).Scan(&hits); err != nil {
		return false, err
	}
	return hits <= limit, nil
}
