package locales

import (
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The French messages address the person as "vous": an adult stranger
// spoken to by a state office expects it, and a mix of "tu" and "vous"
// reads as careless. This test catches an informal form slipping back in.
// The staff group's own messages (staff.g.*, privacy.g.*) say "vous" too:
// the office's team reads them, and a state office writes to its staff as
// it writes to anyone.
//
// Not checked: understand.* and *.words / *.keywords (what people type).
var informalFR = regexp.MustCompile(`(?im)(^|[^\p{L}'’-])(tu|te|toi|ton|ta|tes|t['’])($|[^\p{L}'’])|-(toi|tu)($|[^\p{L}])|(^|[^\p{L}])t['’]` +
	// An order given with "tu" ("Réponds à ce message", "Envoie-le"): at
	// the start of a sentence, after "ou", or with a pronoun after a dash.
	`|(^|[.!?:;(—]\s*|\bou\s+)(réponds|envoie|écris|choisis|appuie|regarde|attends|prends|dis|fais|tape|lis|vérifie|ouvre|indique|ajoute|utilise|touche)($|[^\p{L}])` +
	`|(réponds|envoie|écris|dis|fais|prends|donne)-(le|la|les|moi|lui|nous)($|[^\p{L}])`)

// Spanish proper names and the multilingual language picker, where the
// words are not French.
var notFrench = []string{"Elige tu idioma", "México te abraza"}

func TestFrenchSaysVous(t *testing.T) {
	fr := load(t)["fr"]
	ids := make([]string, 0, len(fr))
	for id := range fr {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if strings.HasPrefix(id, "understand.") || strings.HasPrefix(id, "keywords.") ||
			strings.HasSuffix(id, ".words") || strings.HasSuffix(id, ".keywords") {
			continue
		}
		text := fr[id]
		for _, s := range notFrench {
			text = strings.ReplaceAll(text, s, "")
		}
		if m := informalFR.FindString(text); m != "" {
			t.Errorf("%s says %q: use \"vous\"", id, strings.TrimSpace(m))
		}
	}
}
