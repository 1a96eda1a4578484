package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

func init() {
	register(0, func(r *bot.Router, d *Deps) {
		r.Handle(&bot.Spec{Names: []string{"help", "palīdzība", "palidziba", "palīgs", "?"}, Help: "help.help",
			UsageLV: "palīdzība [SAIME]", UsageEN: "help [FAMILY]",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return say(ctx, w, bot.Reply{Kind: bot.KindHelp, Text: HelpText(r, c.Person, c.Lang, c.Arg(0))})
			})})
		r.Handle(&bot.Spec{Names: []string{"whoami", "kas es", "es"}, Help: "help.whoami", UsageLV: "kas es", UsageEN: "whoami",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				return text(ctx, w, whoami(ctx, d, c))
			})})
		r.Handle(&bot.Spec{Names: []string{"language", "valoda", "lang"}, Help: "help.language", MinArgs: 1,
			UsageLV: "valoda lv|en", UsageEN: "language lv|en",
			Handler: bot.HandlerFunc(func(ctx context.Context, w bot.ResponseWriter, c *bot.Command) error {
				l, ok := bot.ParseLang(c.Arg(0))
				if !ok {
					return c.Usage()
				}
				p := *c.Person
				p.Lang = l
				if err := d.Bot.Store.PutPerson(ctx, &p); err != nil {
					return err
				}
				c.Person.Lang = l
				return text(ctx, w, bot.Tr(l, "cmd.language_set", nil))
			})})
	})
}

func whoami(ctx context.Context, d *Deps, c *bot.Command) string {
	p := c.Person
	inst := p.Institution
	if i, err := d.Bot.Store.Institution(ctx, p.Institution); err == nil {
		inst = i.Name(c.Lang) + " (" + i.Code + ")"
	}
	s := bot.Tr(c.Lang, "cmd.whoami", bot.Args{"Name": p.Name, "Email": p.Email, "Institution": inst, "Roles": bot.RoleLabels(p.Roles, c.Lang), "Lang": string(p.Language())})
	if d.Bot.Sandbox {
		s += "\n" + bot.Tr(c.Lang, "cmd.whoami_sandbox", nil)
	}
	return s
}

// HelpText lists the commands the person may use, with usage and a
// description; with a family word, only that family.
func HelpText(r *bot.Router, p *bot.Person, l bot.Lang, family string) string {
	var b strings.Builder
	b.WriteString(bot.Tr(l, "help.title", nil))
	fam := bot.Fold(family)
	n := 0
	for _, s := range r.Specs() {
		if s.Hidden || (len(s.Roles) > 0 && !p.HasAny(s.Roles...)) {
			continue
		}
		if fam != "" {
			match := false
			for _, name := range s.Names {
				if strings.HasPrefix(bot.Fold(name), fam) {
					match = true
				}
			}
			if !match {
				continue
			}
		}
		n++
		b.WriteString("\n  " + bot.Prefix + " " + s.Usage(l))
		if s.Help != "" {
			b.WriteString("\n      " + bot.Tr(l, s.Help, nil))
		}
	}
	if n == 0 {
		return bot.Tr(l, "help.no_family", bot.Args{"Family": family})
	}
	return b.String()
}
