package hub

import (
	"context"
	"strings"

	"github.com/icarus-city/icarus/internal/apperr"
	"github.com/icarus-city/icarus/internal/incident"
)

// knownICCS reports whether code is one of the ICCS codes Icarus lists.
func knownICCS(code string) bool {
	for _, c := range incident.ICCSSections() {
		if c.Code == code {
			return true
		}
	}
	return false
}

// SetCategoryICCS maps a source category to an ICCS code for the
// organisation, or back to the default mapping when code is "default", and
// recodes the stored incidents. "" marks the category as not a crime in
// ICCS (e.g. anti-social behaviour).
func (s *Service) SetCategoryICCS(ctx context.Context, orgID int64, category, code string) (int64, error) {
	category, code = strings.TrimSpace(category), strings.TrimSpace(code)
	if category == "" {
		return 0, apperr.New(apperr.Invalid, "category is empty")
	}
	if code == "default" {
		return s.Store.SetICCS(ctx, orgID, category, incident.DefaultICCS(category), false)
	}
	if code != "" && !knownICCS(code) {
		return 0, apperr.New(apperr.Invalid, "%q is not an ICCS code Icarus knows (see the list of sections)", code)
	}
	return s.Store.SetICCS(ctx, orgID, category, code, true)
}

// orgMapping adds the organisation's ICCS overrides to a mapping.
func (s *Service) orgMapping(ctx context.Context, orgID int64, m *incident.Mapping) error {
	own, err := s.Store.ICCSMappings(ctx, orgID)
	if err != nil || len(own) == 0 {
		return err
	}
	merged := make(map[string]string, len(own)+len(m.ICCS))
	for k, v := range m.ICCS {
		merged[k] = v
	}
	for k, v := range own {
		merged[k] = v
	}
	m.ICCS = merged
	return nil
}
