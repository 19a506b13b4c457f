package kb

import "testing"

func TestDetectLanguage(t *testing.T) {
	cases := []struct{ text, want string }{
		{"The prevention of juvenile delinquency is one of the focus areas of the project, and it has been studied for more than thirty years.", "en"},
		{"La prévention de la délinquance juvénile est l'un des domaines prioritaires du projet, et elle a été étudiée pendant plus de trente ans.", "fr"},
		{"La prevenzione della delinquenza giovanile è una delle aree del progetto, ed è stata studiata per più di trent'anni con gli attori locali.", "it"},
		{"Die Prävention von Jugendkriminalität ist einer der Schwerpunkte des Projekts und wird seit mehr als dreißig Jahren mit den Städten untersucht.", "de"},
		{"A prevenção da delinquência juvenil é uma das áreas do projeto, e foi estudada durante mais de trinta anos pelos municípios e pela polícia.", "pt"},
		{"De preventie van jeugdcriminaliteit is een van de aandachtsgebieden van het project en wordt al meer dan dertig jaar door de steden onderzocht.", "nl"},
		{"", ""},
		{"Sbocciamo Torino 2023", ""},
	}
	for _, c := range cases {
		got, conf := DetectLanguage(c.text)
		if got != c.want {
			t.Errorf("DetectLanguage(%.40q) = %q (%.2f), want %q", c.text, got, conf, c.want)
		}
		if got != "" && (conf <= 0 || conf > 1) {
			t.Errorf("confidence %v out of (0, 1]", conf)
		}
	}
}

func TestTaxonomies(t *testing.T) {
	if len(FocusAreas()) != 4 || len(CrossCuttingIssues()) != 4 {
		t.Fatal("IcARUS has four focus areas and four cross-cutting issues")
	}
	if !ValidFocusArea("public_spaces") || ValidFocusArea("") || !ValidCrossCutting("gender") || !ValidApproach("situational") || !ValidKind(KindEvidence) {
		t.Error("validators")
	}
}

func FuzzDetectLanguage(f *testing.F) {
	f.Add("la prévention de la délinquance")
	f.Add("l'l'l' ''' d'")
	f.Fuzz(func(t *testing.T, s string) {
		l, c := DetectLanguage(s)
		if (l == "") != (c == 0) || c < 0 || c > 1 {
			t.Fatalf("DetectLanguage = %q, %v", l, c)
		}
	})
}
