package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"
)

// Surveyor is one signed-in field session: the session cookie and its CSRF token.
type Surveyor struct{ Cookie, CSRF string }

// Config of a load run.
type Config struct {
	BaseURL   string
	SurveyID  int64
	Version   int
	Surveyors []Surveyor
	Bodies    [][]byte      // answer bodies, cycled
	Duration  time.Duration // how long surveyors submit
	Think     time.Duration // pause after each acknowledged submission
	// Jitter desynchronises the surveyors: each starts after a pause drawn
	// uniformly from [0, Think) and pauses uniformly in [Think/2, 3·Think/2)
	// (same mean) instead of exactly Think. Without it all surveyors start
	// together and, with equal pauses, keep submitting in waves of len(Surveyors).
	Jitter bool
	// Warmup: the latencies of new submissions sent in the first Warmup of
	// the run (connections opening, caches filling) are kept apart in
	// WarmupLatency; those submissions are counted and checked like the others.
	Warmup time.Duration
	Repeat float64 // share of submissions that resend an already acknowledged key (a different body)
	Seed   uint64
	RunID  string // prefix of this run's idempotency keys
}

// Result of a load run.
type Result struct {
	Sent           int              // requests sent
	Created        int              // 201
	Repeated       int              // 200 to a deliberate repeat, with the first answer's id
	RepeatMismatch int              // 200 to a repeat but with another id, or 201 to a repeat (a duplicate)
	RateLimited    int              // 429 (resent later with the same key)
	Failed         int              // other statuses or transport errors (resent with the same key)
	Acked          map[string]int64 // key -> stored id, as acknowledged
	Latency        []time.Duration  // of every acknowledged first submission (201)
	SentAt         []time.Duration  // when each of those was sent, from the start of the run
	WarmupLatency  []time.Duration  // of acknowledged first submissions sent during Config.Warmup
	Warmup         time.Duration    // Config.Warmup
	RepeatLatency  []time.Duration  // of acknowledged repeats (200)
	Elapsed        time.Duration
}

// NewRunID is a random prefix for a run's keys.
func NewRunID() string {
	b := make([]byte, 6)
	rand.Read(b)
	return "load-" + hex.EncodeToString(b)
}

type ack struct {
	ID      int64 `json:"id"`
	Created bool  `json:"created"`
}

// Run makes every surveyor submit in a loop for cfg.Duration: a new response
// with a fresh key, or (with probability Repeat) a resend of one of its
// acknowledged keys with another body. A submission that is not acknowledged
// (429, 5xx, transport error) is resent with the same key until it is, as the
// field form does; the run then drains those before returning.
func Run(ctx context.Context, cfg Config) (Result, error) {
	tr := &http.Transport{MaxIdleConns: 1000, MaxIdleConnsPerHost: 1000, MaxConnsPerHost: 0, IdleConnTimeout: 90 * time.Second}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	url := fmt.Sprintf("%s/api/v1/surveys/%d/responses", cfg.BaseURL, cfg.SurveyID)
	var mu sync.Mutex
	res := Result{Acked: map[string]int64{}, Warmup: cfg.Warmup}
	stop := time.Now().Add(cfg.Duration)
	var wg sync.WaitGroup
	t0 := time.Now()
	for i, sv := range cfg.Surveyors {
		wg.Add(1)
		go func(i int, sv Surveyor) {
			defer wg.Done()
			rnd := mrand.New(mrand.NewPCG(cfg.Seed, uint64(i)))
			var mine []string // acknowledged keys of this surveyor
			n := 0
			pause := func() time.Duration {
				if !cfg.Jitter {
					return cfg.Think
				}
				return cfg.Think/2 + time.Duration(rnd.Int64N(int64(cfg.Think)+1))
			}
			if cfg.Jitter && cfg.Think > 0 {
				time.Sleep(time.Duration(rnd.Int64N(int64(cfg.Think))))
			}
			send := func(key string, body []byte) (int, ack, time.Duration, error) {
				req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
				if err != nil {
					return 0, ack{}, 0, err
				}
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", key)
				req.Header.Set("X-CSRF-Token", sv.CSRF)
				req.AddCookie(&http.Cookie{Name: "icarus_session", Value: sv.Cookie})
				t := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					return 0, ack{}, time.Since(t), err
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				d := time.Since(t)
				var a ack
				if resp.StatusCode == 200 || resp.StatusCode == 201 {
					if err := json.Unmarshal(b, &a); err != nil {
						return resp.StatusCode, a, d, fmt.Errorf("acknowledgement %q: %w", b, err)
					}
				}
				return resp.StatusCode, a, d, err
			}
			for time.Now().Before(stop) && ctx.Err() == nil {
				repeat := len(mine) > 0 && rnd.Float64() < cfg.Repeat
				var key string
				if repeat {
					key = mine[rnd.IntN(len(mine))]
				} else {
					key = fmt.Sprintf("%s-%d-%d", cfg.RunID, i, n)
					n++
				}
				body := cfg.Bodies[rnd.IntN(len(cfg.Bodies))]
				for ctx.Err() == nil { // until acknowledged
					status, a, d, err := send(key, body)
					mu.Lock()
					res.Sent++
					switch {
					case err != nil:
						res.Failed++
					case status == 201 && !repeat:
						res.Created++
						res.Acked[key] = a.ID
						if at := time.Since(t0) - d; at < cfg.Warmup {
							res.WarmupLatency = append(res.WarmupLatency, d)
						} else {
							res.Latency = append(res.Latency, d)
							res.SentAt = append(res.SentAt, at)
						}
					case status == 200 && repeat && res.Acked[key] == a.ID && !a.Created:
						res.Repeated++
						res.RepeatLatency = append(res.RepeatLatency, d)
					case status == 200 || status == 201:
						// a fresh key answered 200 was already stored by an earlier
						// attempt whose answer was lost: acknowledged all the same
						if !repeat && status == 200 {
							res.Acked[key] = a.ID
							res.Created++
						} else {
							res.RepeatMismatch++
						}
					case status == 429:
						res.RateLimited++
					default:
						res.Failed++
					}
					mu.Unlock()
					if err == nil && (status == 200 || status == 201) {
						break
					}
					time.Sleep(50 * time.Millisecond)
				}
				if !repeat {
					mine = append(mine, key)
				}
				if cfg.Think > 0 {
					time.Sleep(pause())
				}
			}
		}(i, sv)
	}
	wg.Wait()
	res.Elapsed = time.Since(t0)
	return res, ctx.Err()
}

// Quantile of ds (nearest rank), 0 when empty.
func Quantile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.999999) - 1
	return s[max(0, min(len(s)-1, i))]
}

// Check compares what was acknowledged with what is stored (keys of this
// run, with their ids): lost = acknowledged but not stored, foreign =
// stored but never acknowledged, mismatched = stored under another id.
func Check(acked, stored map[string]int64) (lost, foreign, mismatched int) {
	for k, id := range acked {
		sid, ok := stored[k]
		switch {
		case !ok:
			lost++
		case sid != id:
			mismatched++
		}
	}
	for k := range stored {
		if _, ok := acked[k]; !ok {
			foreign++
		}
	}
	return lost, foreign, mismatched
}
