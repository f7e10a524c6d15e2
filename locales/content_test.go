package locales

import (
	"strings"
	"testing"
)

// What a person is told before and after a denuncia (the consent, the
// notice, /privacidad, the confirmation's next steps) names the same
// office, says it is not a complaint to the Ministerio Público and where
// to make one; /borrar says what of a sent denuncia stays and for how
// long, with the configured days.
func TestConsentAndPrivacySayTheSame(t *testing.T) {
	all := load(t)
	const office = "Secretaría de la Frontera Sur"
	for _, lang := range Shipped {
		m := all[lang]
		for _, id := range []string{"privacy.notice", "denuncia.consent", "privacy.text", "denuncia.next.read"} {
			if !strings.Contains(m[id], office) {
				t.Errorf("%s %s: does not name %q, who runs Acércate", lang, id, office)
			}
		}
		for _, id := range []string{"denuncia.consent", "privacy.text", "denuncia.next.fiscalia"} {
			for _, want := range []string{"Ministerio Público", "Fiscalía de Inmigrantes", "FGR"} {
				if !strings.Contains(m[id], want) {
					t.Errorf("%s %s: does not say %q (it is not a complaint to the Ministerio Público, and where to make one)", lang, id, want)
				}
			}
		}
		for _, id := range []string{"privacy.erase.ask", "privacy.erase.done"} {
			if !strings.Contains(m[id], "{{.DenunciaDays}}") {
				t.Errorf("%s %s: does not say how long a sent denuncia's text and photos stay", lang, id)
			}
		}
	}
}

// The humanitarian visitor card is named only where it applies, each time
// with what it takes: for a victim of a crime (or of trafficking) with the
// complaint to the Ministerio Público it needs, asked for at the INM; for an
// unaccompanied child or an asylum seeker, asked for at the INM. Never in
// the denuncia's confirmation, which is not that complaint.
func TestHumanitarianCardOnlyWhereItApplies(t *testing.T) {
	all := load(t)
	names := []string{"razones humanitarias", "humanitarian", "humanitaires", "imanitè", "humanitárias", "humanitário"}
	needMP := map[string]bool{"rights.victims.text": true, "rights.trafficking.text": true}
	allowed := map[string]bool{"rights.victims.text": true, "rights.trafficking.text": true,
		"rights.children.text": true, "rights.work.text": true}
	for _, lang := range Shipped {
		for id, text := range all[lang] {
			// Words and phrases people type are read, not said.
			if strings.HasSuffix(id, ".words") || strings.HasSuffix(id, ".keywords") || strings.HasPrefix(id, "understand.") {
				continue
			}
			low := strings.ToLower(text)
			named := false
			for _, n := range names {
				named = named || strings.Contains(low, n)
			}
			if !named {
				continue
			}
			if !allowed[id] {
				t.Errorf("%s %s names the humanitarian visitor card where it does not apply", lang, id)
				continue
			}
			if !strings.Contains(text, "INM") {
				t.Errorf("%s %s: the card is not said to be asked for at the INM", lang, id)
			}
			if needMP[id] && !strings.Contains(text, "Ministerio Público") {
				t.Errorf("%s %s: the card is offered to victims without the Ministerio Público complaint it needs", lang, id)
			}
		}
	}
}

// "Revisado" (and its translations) is said only of what the office
// confirmed; the shelters and rights come from public sources the office
// has not confirmed, so no person-facing message says they were checked.
// (The reference directory shows its confirmed records from flows, with
// who and when.)
func TestNothingClaimsTheOfficeCheckedIt(t *testing.T) {
	// Shown only beside a directory record the office confirmed, with its
	// date (flows/families.go and flows/albergues.go read Confirmed before
	// rendering it).
	confirmedOnly := map[string]bool{"families.dir.confirmed": true, "albergues.confirmed": true, "albergues.confirmed_stale": true}
	// Saying the office has not checked it yet is the honest opposite.
	notYet := []string{"no lo ha revisado", "not yet checked", "pas encore vérifié", "poko verifye", "ainda não conferiu"}
	all := load(t)
	claims := []string{"revisad", "checked on", "information checked", "vérifié", "verifye enfòmasyon", "yo verifye", "te verifye", "conferid"}
	for _, lang := range Shipped {
		for id, text := range all[lang] {
			if strings.HasPrefix(id, "staff.") || strings.HasPrefix(id, "report.") || confirmedOnly[id] {
				continue
			}
			low := strings.ToLower(text)
			for _, n := range notYet {
				low = strings.ReplaceAll(low, n, "")
			}
			for _, c := range claims {
				if strings.Contains(low, c) {
					t.Errorf("%s %s says %q: only what the office confirmed may say so", lang, id, c)
				}
			}
		}
	}
}

// An approximate shelter pin is placed in its town, never given as the
// shelter's own distance from the person.
func TestApproximateDistanceNamesTheTown(t *testing.T) {
	all := load(t)
	for _, lang := range Shipped {
		if !strings.Contains(all[lang]["albergues.km_approx"], "{{.City}}") {
			t.Errorf("%s albergues.km_approx does not say which town the approximate point is in", lang)
		}
		// A city centre's pin is never a distance from the person.
		if strings.Contains(all[lang]["albergues.km_approx"], "{{.Km}}") {
			t.Errorf("%s albergues.km_approx gives a distance for a city-centre pin", lang)
		}
		// A pin for the shelter's own area names the area with its distance.
		if a := all[lang]["albergues.km_area"]; !strings.Contains(a, "{{.Place}}") || !strings.Contains(a, "{{.Km}}") {
			t.Errorf("%s albergues.km_area does not name the area and its distance: %q", lang, a)
		}
	}
}

// On a channel without delete, the notice, help, /privacidad and the
// erasure's answer promise neither that the chat is deleted (the 48 hours
// Telegram allows) nor that Telegram keeps the messages.
func TestNoDeleteTextsPromiseNoDeletion(t *testing.T) {
	all := load(t)
	for _, lang := range Shipped {
		for _, id := range []string{"privacy.notice", "help.text", "privacy.text", "privacy.erase.done"} {
			text, ok := all[lang][id+".no_delete"]
			if !ok {
				t.Errorf("%s: no %s.no_delete for a channel without delete", lang, id)
				continue
			}
			if strings.Contains(text, "Telegram") || strings.Contains(text, "48") {
				t.Errorf("%s %s.no_delete still speaks of Telegram or of deleting the last 48 hours", lang, id)
			}
		}
	}
}

// The denuncia's consent says, before anything is written, what the quick
// exit does to the draft (flows.privacyExit resets the state, draft and
// all, and leaves only a neutral message).
func TestConsentSaysWhatQuickExitDoesToTheDraft(t *testing.T) {
	all := load(t)
	for _, lang := range Shipped {
		if !strings.Contains(all[lang]["denuncia.consent"], all[lang]["privacy.btn.exit"]) {
			t.Errorf("%s denuncia.consent does not say what %q does to the draft", lang, all[lang]["privacy.btn.exit"])
		}
	}
}
