package survey

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Skip logic: a small, safe subset of XLSForm's `relevant` expressions.
//
//	expr    = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" "(" expr ")" | cmp
//	cmp     = operand [ ("=" | "!=" | "<" | "<=" | ">" | ">=") operand ]
//	operand = "${" name "}" | 'text' | "text" | number
//	        | "selected" "(" "${" name "}" "," text ")"
//	        | "count-selected" "(" "${" name "}" ")"
//	        | "true()" | "false()" | "(" expr ")"
//
// Answers are seen as XLSForm sees them: text (a multiple choice answer is
// its values separated by spaces, an unanswered question is ''). = and !=
// compare numerically when both sides are numbers, else as text; <, <=, >,
// >= compare numbers only (false when a side is not a number). There are
// no assignments, loops or calls beyond the three functions: evaluation
// always ends, in time linear in the expression.

// Limits of an expression.
const (
	MaxExprLen   = 1000
	MaxExprDepth = 32
)

// Expr is a parsed expression. It marshals to JSON as the tree the field
// form's script evaluates (static/survey.js), so that the browser and the
// server apply the same skip logic.
type Expr struct {
	Op   string  `json:"op"`             // or and not = != < <= > >= ref str num bool selected count-selected
	Name string  `json:"name,omitempty"` // ref, selected, count-selected: the question
	Str  string  `json:"str,omitempty"`  // str; selected: the value
	Num  float64 `json:"num,omitempty"`  // num
	Bool bool    `json:"bool,omitempty"` // bool
	Args []*Expr `json:"args,omitempty"` // or and not and comparisons
}

// ErrExpr is wrapped by every parse error.
var ErrExpr = errors.New("invalid expression")

type token struct {
	kind string // ref str num id op ( ) , eof
	text string
	pos  int
}

func tokenize(src string) ([]token, error) {
	var ts []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '$':
			if i+1 >= len(src) || src[i+1] != '{' {
				return nil, fmt.Errorf("%w: at %d: $ must start ${name}", ErrExpr, i+1)
			}
			end := strings.IndexByte(src[i:], '}')
			if end < 0 {
				return nil, fmt.Errorf("%w: at %d: ${ without }", ErrExpr, i+1)
			}
			name := src[i+2 : i+end]
			if !nameRE.MatchString(name) {
				return nil, fmt.Errorf("%w: at %d: %q is not a question name", ErrExpr, i+1, name)
			}
			ts = append(ts, token{"ref", name, i})
			i += end + 1
		case c == '\'' || c == '"':
			end := strings.IndexByte(src[i+1:], c)
			if end < 0 {
				return nil, fmt.Errorf("%w: at %d: unterminated text", ErrExpr, i+1)
			}
			ts = append(ts, token{"str", src[i+1 : i+1+end], i})
			i += end + 2
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' || c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			j := i + 1
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '.') {
				j++
			}
			if _, err := strconv.ParseFloat(src[i:j], 64); err != nil {
				return nil, fmt.Errorf("%w: at %d: bad number %q", ErrExpr, i+1, src[i:j])
			}
			ts = append(ts, token{"num", src[i:j], i})
			i = j
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i + 1
			for j < len(src) && (src[j] >= 'a' && src[j] <= 'z' || src[j] >= 'A' && src[j] <= 'Z' || src[j] == '-' || src[j] == '_') {
				j++
			}
			ts = append(ts, token{"id", src[i:j], i})
			i = j
		case c == '(' || c == ')' || c == ',':
			ts = append(ts, token{string(c), string(c), i})
			i++
		case c == '=':
			ts = append(ts, token{"op", "=", i})
			i++
		case c == '!' || c == '<' || c == '>':
			if i+1 < len(src) && src[i+1] == '=' {
				ts = append(ts, token{"op", src[i : i+2], i})
				i += 2
			} else if c == '!' {
				return nil, fmt.Errorf("%w: at %d: ! must be followed by =", ErrExpr, i+1)
			} else {
				ts = append(ts, token{"op", string(c), i})
				i++
			}
		default:
			return nil, fmt.Errorf("%w: at %d: unexpected %q", ErrExpr, i+1, rune(c))
		}
	}
	return append(ts, token{"eof", "", len(src)}), nil
}

type parser struct {
	ts    []token
	i     int
	depth int
}

func (p *parser) peek() token { return p.ts[p.i] }
func (p *parser) next() token { t := p.ts[p.i]; p.i++; return t }

func (p *parser) expect(kind string) error {
	t := p.next()
	if t.kind != kind {
		return p.errAt(t, "want %s", kind)
	}
	return nil
}

func (p *parser) errAt(t token, f string, a ...any) error {
	got := t.text
	if t.kind == "eof" {
		got = "end"
	}
	return fmt.Errorf("%w: at %d (%q): %s", ErrExpr, t.pos+1, got, fmt.Sprintf(f, a...))
}

// Parse parses a relevant expression.
func Parse(src string) (*Expr, error) {
	if len(src) > MaxExprLen {
		return nil, fmt.Errorf("%w: longer than %d characters", ErrExpr, MaxExprLen)
	}
	ts, err := tokenize(src)
	if err != nil {
		return nil, err
	}
	p := &parser{ts: ts}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != "eof" {
		return nil, p.errAt(t, "unexpected text after the expression")
	}
	return e, nil
}

func (p *parser) enter() error {
	p.depth++
	if p.depth > MaxExprDepth {
		return fmt.Errorf("%w: nested deeper than %d", ErrExpr, MaxExprDepth)
	}
	return nil
}

func (p *parser) or() (*Expr, error) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	l, err := p.and()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == "id" && t.text == "or"; t = p.peek() {
		p.next()
		r, err := p.and()
		if err != nil {
			return nil, err
		}
		l = &Expr{Op: "or", Args: []*Expr{l, r}}
	}
	return l, nil
}

func (p *parser) and() (*Expr, error) {
	l, err := p.unary()
	if err != nil {
		return nil, err
	}
	for t := p.peek(); t.kind == "id" && t.text == "and"; t = p.peek() {
		p.next()
		r, err := p.unary()
		if err != nil {
			return nil, err
		}
		l = &Expr{Op: "and", Args: []*Expr{l, r}}
	}
	return l, nil
}

func (p *parser) unary() (*Expr, error) {
	if t := p.peek(); t.kind == "id" && t.text == "not" {
		p.next()
		if err := p.expect("("); err != nil {
			return nil, err
		}
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return &Expr{Op: "not", Args: []*Expr{e}}, nil
	}
	return p.cmp()
}

func (p *parser) cmp() (*Expr, error) {
	l, err := p.operand()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == "op" {
		p.next()
		r, err := p.operand()
		if err != nil {
			return nil, err
		}
		if t2 := p.peek(); t2.kind == "op" {
			return nil, p.errAt(t2, "comparisons do not chain: use and")
		}
		return &Expr{Op: t.text, Args: []*Expr{l, r}}, nil
	}
	return l, nil
}

func (p *parser) operand() (*Expr, error) {
	t := p.next()
	switch t.kind {
	case "ref":
		return &Expr{Op: "ref", Name: t.text}, nil
	case "str":
		return &Expr{Op: "str", Str: t.text}, nil
	case "num":
		n, _ := strconv.ParseFloat(t.text, 64)
		return &Expr{Op: "num", Num: n}, nil
	case "(":
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		return e, p.expect(")")
	case "id":
		switch t.text {
		case "true", "false":
			if err := p.expect("("); err != nil {
				return nil, err
			}
			return &Expr{Op: "bool", Bool: t.text == "true"}, p.expect(")")
		case "selected", "count-selected":
			if err := p.expect("("); err != nil {
				return nil, err
			}
			ref := p.next()
			if ref.kind != "ref" {
				return nil, p.errAt(ref, "%s takes ${question} first", t.text)
			}
			e := &Expr{Op: t.text, Name: ref.text}
			if t.text == "selected" {
				if err := p.expect(","); err != nil {
					return nil, err
				}
				v := p.next()
				if v.kind != "str" && v.kind != "num" {
					return nil, p.errAt(v, "selected takes a quoted choice value second")
				}
				e.Str = v.text
			}
			return e, p.expect(")")
		}
		return nil, p.errAt(t, "unknown word (known: and, or, not(), selected(), count-selected(), true(), false())")
	}
	return nil, p.errAt(t, "want ${question}, a quoted text, a number or (")
}

// Refs lists the questions the expression refers to.
func (e *Expr) Refs() []string {
	var out []string
	var walk func(*Expr)
	walk = func(x *Expr) {
		if x.Name != "" {
			out = append(out, x.Name)
		}
		for _, a := range x.Args {
			walk(a)
		}
	}
	walk(e)
	return out
}

// String writes the expression back in canonical form (Parse(e.String())
// gives the same tree).
func (e *Expr) String() string {
	switch e.Op {
	case "ref":
		return "${" + e.Name + "}"
	case "str":
		if strings.Contains(e.Str, "'") {
			return `"` + e.Str + `"`
		}
		return "'" + e.Str + "'"
	case "num":
		return strconv.FormatFloat(e.Num, 'f', -1, 64)
	case "bool":
		return strconv.FormatBool(e.Bool) + "()"
	case "selected":
		return "selected(${" + e.Name + "}, " + (&Expr{Op: "str", Str: e.Str}).String() + ")"
	case "count-selected":
		return "count-selected(${" + e.Name + "})"
	case "not":
		return "not(" + e.Args[0].String() + ")"
	case "and", "or":
		return "(" + e.Args[0].String() + " " + e.Op + " " + e.Args[1].String() + ")"
	}
	return "(" + e.Args[0].String() + " " + e.Op + " " + e.Args[1].String() + ")"
}

// Lookup returns the answer to a question as XLSForm text ("" when unanswered).
type Lookup func(name string) string

// Eval evaluates the expression to a boolean.
func (e *Expr) Eval(get Lookup) bool { return truthy(e.eval(get)) }

func (e *Expr) eval(get Lookup) any {
	switch e.Op {
	case "ref":
		return get(e.Name)
	case "str":
		return e.Str
	case "num":
		return e.Num
	case "bool":
		return e.Bool
	case "selected":
		for _, v := range strings.Fields(get(e.Name)) {
			if v == e.Str {
				return true
			}
		}
		return false
	case "count-selected":
		return float64(len(strings.Fields(get(e.Name))))
	case "not":
		return !truthy(e.Args[0].eval(get))
	case "and":
		return truthy(e.Args[0].eval(get)) && truthy(e.Args[1].eval(get))
	case "or":
		return truthy(e.Args[0].eval(get)) || truthy(e.Args[1].eval(get))
	}
	l, r := e.Args[0].eval(get), e.Args[1].eval(get)
	ln, lok := number(l)
	rn, rok := number(r)
	switch e.Op {
	case "=", "!=":
		eq := text(l) == text(r)
		if lok && rok {
			eq = ln == rn
		}
		return eq == (e.Op == "=")
	}
	if !lok || !rok {
		return false
	}
	switch e.Op {
	case "<":
		return ln < rn
	case "<=":
		return ln <= rn
	case ">":
		return ln > rn
	case ">=":
		return ln >= rn
	}
	return false
}

func truthy(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		return x != ""
	case float64:
		return x != 0
	}
	return false
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case string:
		n, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return n, err == nil && strings.TrimSpace(x) != ""
	}
	return 0, false
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}
