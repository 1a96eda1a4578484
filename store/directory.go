package store

import (
	"bytes"
	"context"
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"itbot/bot"
)

// PutInstitution implements bot.DirectoryStore. It refuses a domain that
// another institution already owns.
func (s *Store) PutInstitution(ctx context.Context, i *bot.Institution) error {
	if err := i.Validate(); err != nil {
		return err
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		db := tx.Bucket(bDomains)
		for _, d := range i.Domains {
			if owner := db.Get([]byte(d)); owner != nil && string(owner) != i.Code {
				return bot.Errorf(bot.ECONFLICT, "store.domain_taken", "Domain", d, "Owner", string(owner))
			}
		}
		if old := tx.Bucket(bInstitutions).Get([]byte(i.Code)); old != nil {
			var prev bot.Institution
			if err := json.Unmarshal(old, &prev); err == nil {
				for _, d := range prev.Domains {
					if err := db.Delete([]byte(d)); err != nil {
						return err
					}
				}
			}
		}
		for _, d := range i.Domains {
			if err := db.Put([]byte(d), []byte(i.Code)); err != nil {
				return err
			}
		}
		v, err := json.Marshal(i)
		if err != nil {
			return err
		}
		return tx.Bucket(bInstitutions).Put([]byte(i.Code), v)
	})
}

// Institution implements bot.DirectoryStore.
func (s *Store) Institution(ctx context.Context, code string) (*bot.Institution, error) {
	var i bot.Institution
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bInstitutions).Get([]byte(code))
		if v == nil {
			return notFound("institution", code)
		}
		return json.Unmarshal(v, &i)
	})
	if err != nil {
		return nil, err
	}
	return &i, nil
}

// InstitutionByDomain implements bot.DirectoryStore.
func (s *Store) InstitutionByDomain(ctx context.Context, domain string) (*bot.Institution, error) {
	var code string
	d := bot.Domain(domain)
	s.db.View(func(tx *bolt.Tx) error {
		code = string(tx.Bucket(bDomains).Get([]byte(d)))
		return nil
	})
	if code == "" {
		return nil, notFound("domain", d)
	}
	return s.Institution(ctx, code)
}

// Institutions implements bot.DirectoryStore.
func (s *Store) Institutions(ctx context.Context) ([]*bot.Institution, error) {
	var out []*bot.Institution
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bInstitutions).ForEach(func(k, v []byte) error {
			var i bot.Institution
			if err := json.Unmarshal(v, &i); err != nil {
				return err
			}
			out = append(out, &i)
			return nil
		})
	})
	return out, err
}

// PutPerson implements bot.DirectoryStore. The person's institution must
// exist and own the person's domain; identities are re-indexed.
func (s *Store) PutPerson(ctx context.Context, p *bot.Person) error {
	if err := p.Validate(); err != nil {
		return err
	}
	inst, err := s.Institution(ctx, p.Institution)
	if err != nil {
		return err
	}
	if !inst.Owns(p.Email) {
		return bot.Errorf(bot.EINVALID, "store.person_domain", "Email", p.Email, "Institution", inst.Code)
	}
	return s.db.Update(func(tx *bolt.Tx) error {
		ib := tx.Bucket(bIdentities)
		if old := tx.Bucket(bPeople).Get([]byte(p.Email)); old != nil {
			var prev bot.Person
			if err := json.Unmarshal(old, &prev); err == nil {
				for pl, id := range prev.Identities {
					if err := ib.Delete(join(pl, id)); err != nil {
						return err
					}
				}
				if err := roleIndex(tx, &prev, false); err != nil {
					return err
				}
			}
		}
		if err := roleIndex(tx, p, true); err != nil {
			return err
		}
		for pl, id := range p.Identities {
			k := join(pl, id)
			if other := ib.Get(k); other != nil && !bytes.Equal(other, []byte(p.Email)) {
				return bot.Errorf(bot.ECONFLICT, "store.identity_taken", "Platform", pl, "ID", id, "Owner", string(other))
			}
			if err := ib.Put(k, []byte(p.Email)); err != nil {
				return err
			}
		}
		v, err := json.Marshal(p)
		if err != nil {
			return err
		}
		return tx.Bucket(bPeople).Put([]byte(p.Email), v)
	})
}

// Person implements bot.DirectoryStore.
func (s *Store) Person(ctx context.Context, email string) (*bot.Person, error) {
	var p bot.Person
	err := s.db.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bPeople).Get([]byte(email))
		if v == nil {
			return notFound("person", email)
		}
		return json.Unmarshal(v, &p)
	})
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// PersonByIdentity implements bot.DirectoryStore.
func (s *Store) PersonByIdentity(ctx context.Context, platform, id string) (*bot.Person, error) {
	var email string
	s.db.View(func(tx *bolt.Tx) error {
		email = string(tx.Bucket(bIdentities).Get(join(platform, id)))
		return nil
	})
	if email == "" {
		return nil, notFound("identity", platform+":"+id)
	}
	return s.Person(ctx, email)
}

// People implements bot.DirectoryStore.
func (s *Store) People(ctx context.Context, code string) ([]*bot.Person, error) {
	var out []*bot.Person
	err := s.db.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bPeople).ForEach(func(k, v []byte) error {
			var p bot.Person
			if err := json.Unmarshal(v, &p); err != nil {
				return err
			}
			if code == "" || p.Institution == code {
				out = append(out, &p)
			}
			return nil
		})
	})
	return out, err
}

// roleIndex adds (add=true) or removes a person's idx_role entries:
// role "\x00" institution "\x00" email.
func roleIndex(tx *bolt.Tx, p *bot.Person, add bool) error {
	b := tx.Bucket(bIdxRole)
	for _, r := range p.Roles {
		k := join(string(r), p.Institution, p.Email)
		var err error
		if add {
			err = b.Put(k, nil)
		} else {
			err = b.Delete(k)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// PeopleWithRoles implements bot.DirectoryStore from the role index: it
// reads only the people who hold one of roles (of institution code, or
// of any when code is ""), each once.
func (s *Store) PeopleWithRoles(ctx context.Context, code string, roles ...bot.Role) ([]*bot.Person, error) {
	var out []*bot.Person
	seen := map[string]bool{}
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bIdxRole).Cursor()
		for _, r := range roles {
			prefix := join(string(r), "")
			if code != "" {
				prefix = join(string(r), code, "")
			}
			for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
				email := string(k[bytes.LastIndexByte(k, 0)+1:])
				if seen[email] {
					continue
				}
				seen[email] = true
				v := tx.Bucket(bPeople).Get([]byte(email))
				if v == nil {
					continue
				}
				var p bot.Person
				if err := json.Unmarshal(v, &p); err != nil {
					return err
				}
				out = append(out, &p)
			}
		}
		return nil
	})
	return out, err
}

// rebuildRoles builds the role index from the people.
func rebuildRoles(tx *bolt.Tx) error {
	if tx.Bucket(bIdxRole) != nil {
		if err := tx.DeleteBucket(bIdxRole); err != nil {
			return err
		}
	}
	if _, err := tx.CreateBucket(bIdxRole); err != nil {
		return err
	}
	pb := tx.Bucket(bPeople)
	if pb == nil {
		return nil
	}
	return pb.ForEach(func(_, v []byte) error {
		var p bot.Person
		if err := json.Unmarshal(v, &p); err != nil {
			return err
		}
		return roleIndex(tx, &p, true)
	})
}

func init() {
	bot.RegisterTexts(
		bot.T("store.domain_taken", "Domēns {{.Domain}} jau pieder iestādei {{.Owner}}.", "The domain {{.Domain}} already belongs to {{.Owner}}."),
		bot.T("store.person_domain", "{{.Email}} nav iestādes {{.Institution}} domēnā.", "{{.Email}} is not in a domain of {{.Institution}}."),
		bot.T("store.identity_taken", "{{.Platform}} konts {{.ID}} jau piesaistīts {{.Owner}}.", "The {{.Platform}} account {{.ID}} is already linked to {{.Owner}}."),
	)
}
