package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/icarus-city/icarus/internal/store"
	"github.com/icarus-city/icarus/internal/survey"
)

// demoSurveyPerArea is how many simulated responses the demo survey has per area.
const demoSurveyPerArea = 12

// loadDemoSurvey adds the Riga-style survey, built from the standard
// question bank, with simulated responses over the demo's LSOAs (labelled
// simulated in the survey, every response and every result). It does
// nothing when the organisation already has a survey.
func loadDemoSurvey(ctx context.Context, env *Env, st *store.Store, org store.Org) error {
	if svs, err := st.Surveys(ctx, org.ID); err != nil || len(svs) > 0 {
		return err
	}
	var codes []string
	ls, err := st.Layers(ctx, org.ID)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if codes == nil || strings.Contains(strings.ToUpper(l.Name), "LSOA") {
			as, err := st.Areas(ctx, org.ID, l.ID, false)
			if err != nil {
				return err
			}
			codes = codes[:0]
			for _, a := range as {
				codes = append(codes, a.Code)
			}
			if strings.Contains(strings.ToUpper(l.Name), "LSOA") {
				break
			}
		}
	}
	d := survey.Riga("For a safe city: feeling of insecurity, cohesion, risk and trust (Riga-style, SIMULATED responses)", true)
	if err := d.Check(); err != nil {
		return err
	}
	def, err := json.Marshal(d)
	if err != nil {
		return err
	}
	sv, err := st.CreateSurvey(ctx, org.ID, d.Title.In("en", "en"), d.Access, true, def)
	if err != nil {
		return err
	}
	// the four-week campaign the simulated responses belong to (Riga's pilot ran four weeks)
	areas := make([]store.CampaignArea, len(codes))
	for i, c := range codes {
		areas[i] = store.CampaignArea{Code: c, Target: demoSurveyPerArea}
	}
	cp, err := st.CreateCampaign(ctx, store.Campaign{OrgID: org.ID, SurveyID: sv.ID, Name: "Riga-style pilot, four weeks (SIMULATED responses)",
		StartsOn: "2024-05-01", EndsOn: "2024-05-28", Areas: areas})
	if err != nil {
		return err
	}
	raws := survey.Simulate(&d, codes, demoSurveyPerArea, rand.New(rand.NewPCG(2024, 16)))
	rs := make([]store.SurveyResponse, 0, len(raws))
	consent := d.Consent.In("en", "en")
	for i, raw := range raws {
		a, errs := survey.Validate(&d, raw, survey.ValidateOptions{})
		if len(errs) > 0 {
			return fmt.Errorf("demo survey: simulated response %d: %v", i, errs[0])
		}
		b, err := json.Marshal(a)
		if err != nil {
			return err
		}
		area, _ := a["area"].(string)
		rs = append(rs, store.SurveyResponse{SurveyID: sv.ID, Version: sv.Version, IdemKey: fmt.Sprintf("demo-%d", i), AreaCode: area, Answers: b,
			Consent: true, ConsentText: consent, Channel: "demo", Simulated: true, CampaignID: cp.ID})
	}
	n, err := st.AddSurveyResponses(ctx, rs)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "  survey     %-28s %d simulated responses in %d areas\n", "Riga-style (question bank)", n, len(codes))
	return nil
}
