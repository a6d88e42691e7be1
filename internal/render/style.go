package render

// Style colours text output. The zero Style (and NewStyle(false)) adds no
// escape codes at all.
type Style struct{ on bool }

// NewStyle returns a style that colours when on is true.
func NewStyle(on bool) Style { return Style{on: on} }

func (s Style) wrap(code, t string) string {
	if !s.on || t == "" {
		return t
	}
	return "\x1b[" + code + "m" + t + "\x1b[0m"
}

func (s Style) bold(t string) string  { return s.wrap("1", t) }
func (s Style) dim(t string) string   { return s.wrap("2", t) }
func (s Style) red(t string) string   { return s.wrap("1;31", t) }
func (s Style) green(t string) string { return s.wrap("1;32", t) }
func (s Style) yellow(t string) string {
	return s.wrap("1;33", t)
}
func (s Style) cyan(t string) string { return s.wrap("36", t) }
