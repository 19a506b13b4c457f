package analyses

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/jobs"
	"github.com/icarus-city/icarus/internal/store"
)

// JobKind is the kind of the background jobs that run long analyses.
const JobKind = "analysis"

// Submission is a recorded analysis: done already (short methods run
// inline) or queued as a job.
type Submission struct {
	ID    int64
	State string
}

// Submit checks the request, records it as an analysis of the organisation
// by owner (0: none), and runs it at once when it is short, or enqueues a
// job when it is long (permutation tests). A request that fails its checks
// is refused and nothing is recorded; an analysis that fails while running
// is recorded as failed with its error.
func (s *Service) Submit(ctx context.Context, orgID, ownerID int64, r Request, name string) (Submission, error) {
	if err := r.Validate(); err != nil {
		return Submission{}, err
	}
	// the dataset must exist before anything is recorded
	if r.DatasetID == 0 {
		if r.Dataset == "" {
			return Submission{}, apperr.New(apperr.Invalid, "dataset: choose the dataset to analyse")
		}
		ds, err := s.st.DatasetByName(ctx, orgID, r.Dataset)
		if err != nil {
			return Submission{}, err
		}
		r.DatasetID = ds.ID
	}
	if info, _ := Method(r.Method); info.NeedsDays && r.Long() {
		// a job would fail on month-resolution dates: say so now
		pts, err := s.Load(ctx, orgID, r)
		if err != nil {
			return Submission{}, err
		}
		if err := checkDays(r.Method, pts); err != nil {
			return Submission{}, err
		}
	}
	body, err := json.Marshal(r)
	if err != nil {
		return Submission{}, err
	}
	id, err := s.st.CreateAnalysis(ctx, store.Analysis{OrgID: orgID, OwnerID: ownerID, Name: name, Method: r.Method, Request: string(body)})
	if err != nil {
		return Submission{}, err
	}
	if r.Long() {
		jid, err := s.st.EnqueueJob(ctx, store.Job{Kind: JobKind, Payload: strconv.FormatInt(id, 10), MaxAttempts: 2})
		if err != nil {
			return Submission{}, err
		}
		if err := s.st.SetAnalysisJob(ctx, id, jid); err != nil {
			return Submission{}, err
		}
		return Submission{ID: id, State: store.JobQueued}, nil
	}
	state, err := s.runStored(ctx, id, orgID, r)
	return Submission{ID: id, State: state}, err
}

// runStored runs a recorded analysis and records its result or its error.
func (s *Service) runStored(ctx context.Context, id, orgID int64, r Request) (string, error) {
	var mu sync.Mutex
	last := time.Time{}
	progress := func(f float64, stage string) {
		mu.Lock()
		defer mu.Unlock()
		if now := time.Now(); f < 1 && now.Sub(last) > 250*time.Millisecond {
			last = now
			s.st.AnalysisProgress(context.WithoutCancel(ctx), id, f, stage)
		}
	}
	res, err := s.Run(ctx, orgID, r, progress)
	fctx := context.WithoutCancel(ctx)
	if err != nil {
		if ctx.Err() != nil || apperr.CodeOf(err) == apperr.Internal {
			msg := "the analysis stopped: " + err.Error()
			if apperr.CodeOf(err) == apperr.Internal && ctx.Err() == nil {
				msg = "internal error"
			}
			if ferr := s.st.FinishAnalysis(fctx, id, "", msg); ferr != nil {
				return "", ferr
			}
			return store.JobFailed, err
		}
		if ferr := s.st.FinishAnalysis(fctx, id, "", err.Error()); ferr != nil {
			return "", ferr
		}
		return store.JobFailed, err
	}
	b, err := json.Marshal(res)
	if err != nil {
		return "", err
	}
	return store.JobDone, s.st.FinishAnalysis(fctx, id, string(b), "")
}

// JobHandlers returns the handler of analysis jobs, to add to a runner.
func (s *Service) JobHandlers() map[string]jobs.Handler {
	return map[string]jobs.Handler{JobKind: func(ctx context.Context, j store.Job) error {
		id, err := strconv.ParseInt(j.Payload, 10, 64)
		if err != nil {
			return nil // not ours to retry: a malformed payload stays malformed
		}
		a, err := s.st.AnalysisByID(ctx, id)
		if apperr.CodeOf(err) == apperr.NotFound {
			return nil
		}
		if err != nil {
			return err
		}
		if a.State == store.JobDone || a.State == store.JobFailed {
			return nil
		}
		r, err := ParseRequest([]byte(a.Request))
		if err != nil {
			return s.st.FinishAnalysis(ctx, id, "", err.Error())
		}
		_, err = s.runStored(ctx, id, a.OrgID, r)
		if apperr.CodeOf(err) == apperr.Invalid || apperr.CodeOf(err) == apperr.NotFound {
			return nil // recorded as failed; running it again would fail again
		}
		return err
	}}
}

// Status is an analysis as the API shows it.
type Status struct {
	ID       int64           `json:"id"`
	Name     string          `json:"name,omitempty"`
	Owner    string          `json:"owner,omitempty"`
	Method   string          `json:"method"`
	State    string          `json:"state"`
	Progress float64         `json:"progress"`
	Stage    string          `json:"stage,omitempty"`
	Error    string          `json:"error,omitempty"`
	Request  json.RawMessage `json:"request"`
	Result   json.RawMessage `json:"result,omitempty"`
	Created  time.Time       `json:"created"`
	Finished *time.Time      `json:"finished,omitempty"`
}

// StatusOf converts a stored analysis.
func StatusOf(a store.Analysis) Status {
	st := Status{ID: a.ID, Name: a.Name, Owner: a.Owner, Method: a.Method, State: a.State, Progress: a.Progress, Stage: a.Stage, Error: a.Error,
		Request: json.RawMessage(a.Request), Created: a.Created}
	if a.Result != "" {
		st.Result = json.RawMessage(a.Result)
	}
	if !a.Finished.IsZero() {
		f := a.Finished
		st.Finished = &f
	}
	return st
}

// Get returns an analysis of the organisation.
func (s *Service) Get(ctx context.Context, orgID, id int64) (Status, error) {
	a, err := s.st.Analysis(ctx, orgID, id)
	if err != nil {
		return Status{}, err
	}
	return StatusOf(a), nil
}
