package commands

import (
	"context"
	"strings"

	"itbot/bot"
)

// The licence family: assign and revoke Microsoft 365 licences.
func init() {
	sku := func(empty string) bot.ParamSpec {
		return bot.ParamSpec{Name: "sku", Kind: bot.ParamWord, Label: "param.sku", Empty: empty, Brief: true, Slot: "sku", Form: bot.FormOption}
	}
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeLicenceAssign, Order: 10,
		LV: "Licences piešķiršana", EN: "Licence assignment",
		Names: []string{"licence assign", "license assign", "licence piešķirt", "licence pieskirt", "licences piešķirt", "licenci piešķirt", "licenci pieskirt"},
		Help:  "help.licence_assign", UsageLV: "licence piešķirt LIETOTĀJS [LICENCE]", UsageEN: "licence assign USER [SKU]",
		Params: []bot.ParamSpec{pUser, sku("param.sku_default")},
		// The licence must be one the tenant has: checked when the request
		// is made, not after it was approved.
		Preflight: func(ctx context.Context, x *bot.Exec) error {
			if err := accountMustExist(ctx, x, x.Params.User); err != nil {
				return err
			}
			return skuInTenant(ctx, x)
		},
		Service: bot.ServiceExchange, Procurement: true,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.AssignLicence(ctx, x.Institution, x.Params.User, x.Params.SKU)
		}})
	bot.RegisterType(bot.TypeSpec{Type: bot.TypeLicenceRevoke, Order: 20,
		LV: "Licences noņemšana", EN: "Licence removal",
		Names: []string{"licence revoke", "license revoke", "licence remove", "licence noņemt", "licence nonemt", "licence atņemt", "licence atnemt", "licenci noņemt", "licenci nonemt"},
		Help:  "help.licence_revoke", UsageLV: "licence noņemt LIETOTĀJS [LICENCE]", UsageEN: "licence revoke USER [SKU]",
		Params:  []bot.ParamSpec{pUser, sku("param.sku_only")},
		Service: bot.ServiceExchange,
		Run: func(ctx context.Context, x *bot.Exec) (*bot.Outcome, error) {
			return x.Exchange.RevokeLicence(ctx, x.Institution, x.Params.User, x.Params.SKU)
		}})
	register(20, func(r *bot.Router, d *Deps) {
		requestCommand(r, d, bot.TypeLicenceAssign, nil)
		requestCommand(r, d, bot.TypeLicenceRevoke, nil)
	})
}

// skuInTenant refuses a licence the tenant does not subscribe to, naming
// the ones it does; when Exchange does not answer the request goes on
// (the action checks again).
func skuInTenant(ctx context.Context, x *bot.Exec) error {
	if x.Exchange == nil || strings.TrimSpace(x.Params.SKU) == "" {
		return nil
	}
	if _, err := x.Exchange.FreeLicences(ctx, x.Params.SKU); bot.ErrorCode(err) == bot.EINVALID {
		return err
	}
	return nil
}

// accountMustExist refuses a request about an account the tenant does not
// have; when Exchange does not answer the request goes on.
func accountMustExist(ctx context.Context, x *bot.Exec, address string) error {
	if x.Exchange == nil || address == "" {
		return nil
	}
	if ok, err := x.Exchange.AccountExists(ctx, x.Institution, address); err == nil && !ok {
		return bot.Errorf(bot.ENOTFOUND, "cmd.no_account", "Address", address)
	}
	return nil
}

// accountMustBeFree refuses a new mailbox for an address that already has
// an account; when Exchange does not answer the request goes on.
func accountMustBeFree(ctx context.Context, x *bot.Exec, address string) error {
	if x.Exchange == nil || address == "" {
		return nil
	}
	if ok, err := x.Exchange.AccountExists(ctx, x.Institution, address); err == nil && ok {
		return bot.Errorf(bot.ECONFLICT, "cmd.account_taken", "Address", address)
	}
	return nil
}
