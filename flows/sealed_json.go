package flows

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// What the engine seals at every commit (the state, and the replies kept
// for a redelivery) is written here by hand, the same bytes
// encoding/json writes (sealed_json_test.go compares them): json.Marshal
// walks both by reflection at every step, and they are always the same
// few shapes. They are read back with json.Unmarshal. A field added to
// State, Reply or their parts must be written here too: the test fills
// every field and fails until it is.

// jsonBufs holds the buffers the JSON is written in before it is sealed
// (Seal copies it): most commits then allocate none.
var jsonBufs = sync.Pool{New: func() any { b := make([]byte, 0, 2048); return &b }}

// appendStateJSON appends json.Marshal(st) to dst.
func appendStateJSON(dst []byte, st *State) []byte {
	dst = append(dst, `{"v":`...)
	dst = strconv.AppendInt(dst, int64(st.Schema), 10)
	dst = appendStringField(dst, `,"lang":`, st.Lang)
	if st.Noticed {
		dst = append(dst, `,"noticed":true`...)
	}
	dst = appendStringField(dst, `,"attr":`, st.Attribution)
	dst = appendStringField(dst, `,"flow":`, st.Flow)
	dst = appendStringField(dst, `,"step":`, st.Step)
	if st.Gen != 0 {
		dst = append(dst, `,"gen":`...)
		dst = strconv.AppendInt(dst, int64(st.Gen), 10)
	}
	if len(st.Vars) > 0 {
		dst = append(dst, `,"vars":`...)
		dst = appendStringMap(dst, st.Vars)
	}
	if len(st.Drafts) > 0 {
		dst = append(dst, `,"drafts":{`...)
		for i, k := range sortedKeys(st.Drafts) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, k)
			dst = append(dst, ':')
			dst = appendStringMap(dst, st.Drafts[k])
		}
		dst = append(dst, '}')
	}
	dst = appendStringField(dst, `,"kbd":`, st.Keyboard)
	if len(st.Choices) > 0 {
		dst = append(dst, `,"ch":[`...)
		for i, s := range st.Choices {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, s)
		}
		dst = append(dst, ']')
	}
	if st.Erased != nil {
		dst = append(dst, `,"er":{"u":`...)
		dst = strconv.AppendInt(dst, st.Erased.Update, 10)
		dst = append(dst, `,"t":`...)
		dst = strconv.AppendInt(dst, st.Erased.At, 10)
		dst = append(dst, '}')
	}
	return append(dst, '}')
}

// appendJSONRows appends rows as encoding/json writes a [][]T (a nil row
// is null), each element as elem writes it.
func appendJSONRows[T any](dst []byte, rows [][]T, elem func([]byte, T) []byte) []byte {
	dst = append(dst, '[')
	for i, row := range rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		if row == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = append(dst, '[')
		for j, x := range row {
			if j > 0 {
				dst = append(dst, ',')
			}
			dst = elem(dst, x)
		}
		dst = append(dst, ']')
	}
	return append(dst, ']')
}

// appendRepliesJSON appends json.Marshal(replies) to dst.
func appendRepliesJSON(dst []byte, replies []Reply) []byte {
	if replies == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range replies {
		if i > 0 {
			dst = append(dst, ',')
		}
		r := &replies[i]
		dst = append(dst, `{"k":`...)
		dst = appendJSONString(dst, string(r.Kind))
		// Address.MarshalJSON: its String, as a JSON string.
		dst = append(dst, `,"c":`...)
		dst = appendJSONString(dst, r.ChatID.String())
		dst = appendStringField(dst, `,"t":`, r.Text)
		if len(r.Buttons) > 0 {
			dst = appendJSONRows(append(dst, `,"b":`...), r.Buttons, func(dst []byte, b Button) []byte {
				dst = append(dst, `{"l":`...)
				dst = appendJSONString(dst, b.Label)
				dst = append(dst, `,"d":`...)
				dst = appendJSONString(dst, b.Data)
				return append(dst, '}')
			})
		}
		if len(r.Keyboard) > 0 {
			dst = appendJSONRows(append(dst, `,"kb":`...), r.Keyboard, func(dst []byte, b KeyButton) []byte {
				dst = append(dst, `{"l":`...)
				dst = appendJSONString(dst, b.Label)
				if b.RequestLocation {
					dst = append(dst, `,"loc":true`...)
				}
				return append(dst, '}')
			})
		}
		if r.RemoveKeyboard {
			dst = append(dst, `,"rk":true`...)
		}
		if r.MessageID != 0 {
			dst = append(dst, `,"m":`...)
			dst = strconv.AppendInt(dst, r.MessageID, 10)
		}
		dst = appendStringField(dst, `,"tap":`, r.TapID)
		dst = appendStringField(dst, `,"p":`, r.PhotoID)
		dst = appendStringField(dst, `,"ref":`, r.Ref)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// appendStringField appends an omitempty string field: name (with its
// comma and colon) and the value, or nothing for "".
func appendStringField(dst []byte, name, v string) []byte {
	if v == "" {
		return dst
	}
	return appendJSONString(append(dst, name...), v)
}

// appendStringMap appends a map[string]string as encoding/json does: keys
// sorted, a nil map as null.
func appendStringMap(dst []byte, m map[string]string) []byte {
	if m == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, k)
		dst = append(dst, ':')
		dst = appendJSONString(dst, m[k])
	}
	return append(dst, '}')
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

const jsonHex = "0123456789abcdef"

// jsonSafe are the ASCII bytes encoding/json writes as they are (its
// htmlSafeSet).
var jsonSafe = func() (safe [utf8.RuneSelf]bool) {
	for b := 0x20; b < utf8.RuneSelf; b++ {
		safe[b] = !strings.ContainsRune(`"\<>&`, rune(b))
	}
	return safe
}()

// appendJSONString appends s as encoding/json writes a string (its
// appendString with HTML escaping, Marshal's default): <, > and & as
// \u00XX, invalid UTF-8 as \ufffd, U+2028 and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if jsonSafe[b] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', jsonHex[b>>4], jsonHex[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', jsonHex[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
