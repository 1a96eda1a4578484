package bot

import (
	"context"
	"errors"
	"strings"
)

// FormParams returns the parameters of a request type a new-request form
// asks for: those the request-type table puts on a form, in the table's
// order (internal ones are the bot's).
func FormParams(s *TypeSpec) []ParamSpec {
	var out []ParamSpec
	for _, ps := range s.Params {
		if ps.Internal || ps.Form == "" {
			continue
		}
		out = append(out, ps)
	}
	return out
}

// FormCommand checks a new-request form whose fields are the parameters of
// type spec (values by parameter name) the way the command would check
// them, and returns the command line that typing would run. A mistake is
// returned next to its field (errs by parameter name) so the form can show
// it in place; general is a message about the whole form (the person's
// institution may not ask). d gives the person's institution and the
// clock.
func (d Door) FormCommand(ctx context.Context, p *Person, spec *TypeSpec, values map[string]string) (cmd string, errs map[string]string, general string) {
	l := p.Language()
	var par Params
	errs = map[string]string{}
	fields := FormParams(spec)
	for _, ps := range fields {
		v := strings.TrimSpace(values[ps.Name])
		if v == "" && ps.Required && ps.Default == "" {
			if ps.Kind == ParamText {
				errs[ps.Name] = UserMessage(Errorf(EINVALID, "params.missing_text"), l)
			} else {
				errs[ps.Name] = Tr(l, "form.required", nil)
			}
		}
		par.Set(ps.Name, v)
	}
	if len(errs) > 0 {
		return "", errs, ""
	}
	check := par
	if err := ValidateParamsFor(spec.Type, &check, p.Email); err != nil {
		return "", formError(err, fields, values, l), ""
	}
	inst, err := d.Requests.InstitutionOf(ctx, p)
	if err != nil {
		return "", nil, UserMessage(err, l)
	}
	if err := inst.EligibleFor(spec.Type, d.Now()); err != nil {
		return "", nil, UserMessage(err, l)
	}
	if err := Scope(inst, spec.Type, check); err != nil {
		return "", formError(err, fields, values, l), ""
	}
	cmd = spec.CommandLine(par)
	if _, _, err := Tokenize(strings.TrimPrefix(cmd, Prefix)); err != nil {
		return "", nil, UserMessage(err, l)
	}
	return cmd, nil, ""
}

// formError puts a validation error next to the parameter it is about: the
// one the error names, else the one holding the value it quotes, else the
// first field.
func formError(err error, fields []ParamSpec, values map[string]string, l Lang) map[string]string {
	msg := UserMessage(err, l)
	first := ""
	if len(fields) > 0 {
		first = fields[0].Name
	}
	var e *Error
	if !errors.As(err, &e) {
		return map[string]string{first: msg}
	}
	if name, ok := e.Phrase.Args["Field"].(string); ok {
		for _, ps := range fields {
			if ps.Name == name {
				return map[string]string{name: msg}
			}
		}
	}
	for _, k := range []string{"Value", "Address"} {
		v, ok := e.Phrase.Args[k].(string)
		if !ok || v == "" {
			continue
		}
		for _, ps := range fields {
			if strings.EqualFold(strings.Trim(values[ps.Name], "<> "), strings.Trim(v, "<> ")) {
				return map[string]string{ps.Name: msg}
			}
		}
	}
	for _, ps := range fields {
		if ps.Kind == ParamText && (e.Phrase.ID == "params.missing_text" || e.Phrase.ID == "params.text_too_long") {
			return map[string]string{ps.Name: msg}
		}
	}
	return map[string]string{first: msg}
}

func init() {
	RegisterTexts(T("form.required", "Aizpildiet šo lauku.", "Fill in this field."))
}
