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
