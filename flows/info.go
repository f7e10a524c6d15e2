package flows

import (
	"context"
	"errors"
	"strconv"
	"strings"
)

// infoTopics are the information answers reached from free text ("necesito
// un abogado", "consulado de honduras", "como saco la curp"): each is
// info.<id>.title, info.<id>.text and info.<id>.source in
// locales/info.<lang>.toml, from FACTS.md only, with the source's date and
// never "revisado" (the office has not confirmed them). "modulo" is built
// from the office's módulo records instead, and the topics of
// infoDirectory from the reference directory.
var infoTopics = []string{"legal", "consulate", "unhcr", "modulo", "curp", "cards"}

// infoDirectory are the topics answered from the office's reference
// directory (store/directory.csv, `acercate directorio import`), so the
// office corrects an address or a phone in one place for every flow that
// names the office: info.<id>.text only frames the entries and
// info.<id>.after closes them; each entry shows its own source's date.
var infoDirectory = map[string][]string{
	"legal":     {DirLegalAid},
	"consulate": {DirConsulate},
	"unhcr":     {DirUNAgency},
}

// ModuloPlace is what a person is told of one of the office's módulos:
// only what the office recorded (acercate modulo add).
type ModuloPlace struct {
	Name, Address, Hours string
	// Lat and Lon are its location, when recorded (HasLocation).
	Lat, Lon    float64
	HasLocation bool
}

// Modulos lists the módulos a person may go to.
type Modulos interface {
	ModuloPlaces(ctx context.Context) ([]ModuloPlace, error)
}

// infoFlow answers an information topic. It is not in the menu: the
// matcher starts it from what the person wrote, and its buttons are
// timeless.
func infoFlow() *Flow {
	f := &Flow{Name: "info"}
	f.Start = func(c *Ctx) {
		id := c.Arg
		if !isInfoTopic(id) {
			c.Menu()
			return
		}
		c.Step("topic")
		c.Log(id, "")
		var rows [][]Button
		if c.Has("human") {
			rows = append(rows, []Button{c.Nav(c.T("menu.human"), "human", "", "")})
		}
		rows = append(rows, c.MenuButton())
		if id == "modulo" {
			infoModulos(c, rows)
			return
		}
		if kinds, ok := infoDirectory[id]; ok {
			infoFromDirectory(c, id, kinds, rows)
			return
		}
		c.Send(c.T("info."+id+".text")+"\n\n"+c.T("info."+id+".source"), rows...)
	}
	f.Handle = func(c *Ctx) { c.Unhandled() }
	f.Resume = func(c *Ctx) {}
	return f
}

// infoFromDirectory answers a topic with the directory's entries of its
// kinds, framed by the topic's own sentences; where an entry lacks an
// address or a phone it says it does not know them, and offers a person.
func infoFromDirectory(c *Ctx, id string, kinds []string, rows [][]Button) {
	if c.Deps.Directory == nil {
		c.Fail(errors.New("info: no reference directory"))
		return
	}
	msgs, err := directoryMessages(c, c.T("info."+id+".text"), kinds, true, c.Event.Text)
	if err != nil {
		c.Fail(err)
		return
	}
	after := c.T("info." + id + ".after")
	if c.Has("human") {
		after += "\n\n" + c.T("info.dir.ask_person")
	}
	for _, m := range msgs {
		c.Send(m)
	}
	c.Send(after, rows...)
}

func isInfoTopic(id string) bool {
	for _, t := range infoTopics {
		if t == id {
			return true
		}
	}
	return false
}

// infoModulos tells where the office's módulos are, from their records;
// with none recorded it says it does not know, and offers a person.
func infoModulos(c *Ctx, rows [][]Button) {
	var places []ModuloPlace
	if c.Deps.Modulos != nil {
		p, err := c.Deps.Modulos.ModuloPlaces(c)
		if err != nil {
			c.Fail(err)
			return
		}
		places = p
	}
	var known []string
	for _, p := range places {
		if p.Address == "" && !p.HasLocation {
			continue
		}
		var b strings.Builder
		b.WriteString("• " + p.Name)
		if p.Address != "" {
			b.WriteString("\n  " + p.Address)
		}
		if p.Hours != "" {
			b.WriteString("\n  " + c.T("info.modulo.hours", "Hours", p.Hours))
		}
		if p.HasLocation {
			// A link every channel shows; the pin is the one the office
			// recorded for the módulo.
			ll := strconv.FormatFloat(p.Lat, 'f', 5, 64) + "," + strconv.FormatFloat(p.Lon, 'f', 5, 64)
			b.WriteString("\n  " + c.T("info.modulo.map", "Link", "https://www.openstreetmap.org/?mlat="+
				strconv.FormatFloat(p.Lat, 'f', 5, 64)+"&mlon="+strconv.FormatFloat(p.Lon, 'f', 5, 64)+"#map=17/"+strings.ReplaceAll(ll, ",", "/")))
		}
		known = append(known, b.String())
	}
	if len(known) == 0 {
		c.Send(c.T("info.modulo.none"), rows...)
		return
	}
	c.Send(c.T("info.modulo.text")+"\n\n"+strings.Join(known, "\n\n"), rows...)
}
