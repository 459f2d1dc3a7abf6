package account

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dateline/internal/audit"
	"dateline/internal/mail"
)

// ErrLastAdmin: the change would leave the site without an administrator.
var ErrLastAdmin = errors.New("account: the site must keep at least one administrator")

// InvitationTTL is how long an emailed invitation to join the staff holds.
const InvitationTTL = 7 * 24 * time.Hour

// StaffMember is a member of staff as the people page lists them.
type StaffMember struct {
	ID          int64
	Email       string
	DisplayName string
	Role        Role
	// LastLogin is when they last signed in; zero if never.
	LastLogin time.Time
	CreatedAt time.Time
}

// Invitation asks someone, by email, to join the staff in a role. Its
// secret travels only in the emailed link and is kept as a hash.
type Invitation struct {
	ID        int64
	Email     string
	Role      Role
	InvitedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time
}

// Valid reports whether the invitation may still be accepted at now.
func (inv *Invitation) Valid(now time.Time) bool {
	return inv.UsedAt.IsZero() && now.Before(inv.ExpiresAt)
}

// PeopleStore keeps staff, their roles and invitations; every change is
// written with its audit entry in one transaction.
type PeopleStore interface {
	// StaffMembers lists every account whose role is not reader.
	StaffMembers(ctx context.Context) ([]StaffMember, error)
	// SetRole gives the user role, unless that would take the role of
	// the last administrator (ErrLastAdmin); entry describes the change
	// from the user as they were and is recorded with it. It returns the
	// user as they were.
	SetRole(ctx context.Context, userID int64, role Role, entry func(before *User) *audit.Entry) (*User, error)
	// CreateInvitation stores inv under the hash of its token, with the
	// email that carries the link and the audit entry.
	CreateInvitation(ctx context.Context, inv *Invitation, hash string, m *mail.Message, e *audit.Entry) error
	// InvitationByToken finds an invitation, used or not, by the hash of
	// its token; ErrNotFound when there is none.
	InvitationByToken(ctx context.Context, hash string) (*Invitation, error)
	// PendingInvitations lists the invitations neither used nor expired
	// at now, newest first.
	PendingInvitations(ctx context.Context, now time.Time) ([]Invitation, error)
	// AcceptInvitation uses the invitation with hash, once, if it is for
	// email and valid at now (ErrBadToken otherwise). With newUser it
	// creates that account in the invitation's role; otherwise the
	// account existingID takes the role (ErrLastAdmin if that would take
	// the role of the last administrator). entry describes the change.
	AcceptInvitation(ctx context.Context, hash, email string, now time.Time, newUser *User, existingID int64,
		entry func(inv *Invitation, u *User) *audit.Entry) (*User, error)
}

// actorOf is how the audit log names u.
func actorOf(u *User) audit.Actor {
	if u == nil {
		return audit.Actor{}
	}
	return audit.Actor{ID: u.ID, Name: u.DisplayName, Email: u.Email}
}

// ActorOf is how the audit log names u; nil is the system.
func ActorOf(u *User) audit.Actor { return actorOf(u) }

// errNotAllowed refuses a staff action to someone whose role may not run
// the site.
var errNotAllowed = errors.New("account: only administrators manage staff")

func mayRun(by *User) error {
	if !by.Can(RunSite) {
		return errNotAllowed
	}
	return nil
}

// Staff lists the members of staff with their roles and last sign-in.
func (s *Service) Staff(ctx context.Context, by *User) ([]StaffMember, error) {
	if err := mayRun(by); err != nil {
		return nil, err
	}
	return s.store.StaffMembers(ctx)
}

// PendingInvitations lists the invitations still waiting for an answer.
func (s *Service) PendingInvitations(ctx context.Context, by *User) ([]Invitation, error) {
	if err := mayRun(by); err != nil {
		return nil, err
	}
	return s.store.PendingInvitations(ctx, s.now())
}

// SetRole gives the account userID a new role, on the word of by, an
// administrator; Reader takes away staff rights. The change is recorded in
// the audit log. ErrLastAdmin when it would leave no administrator;
// ErrNotFound for no such account; a *FieldError for an unknown role.
func (s *Service) SetRole(ctx context.Context, by *User, userID int64, role Role) (*User, error) {
	if err := mayRun(by); err != nil {
		return nil, err
	}
	if _, err := ParseRole(string(role)); err != nil {
		return nil, &FieldError{"role", "Choose one of the roles listed."}
	}
	now := s.now()
	before, err := s.store.SetRole(ctx, userID, role, func(u *User) *audit.Entry {
		if u.Role == role {
			return nil // nothing changed, nothing to record
		}
		action := audit.RoleChanged
		if role == Reader {
			action = audit.StaffRemoved
		}
		return audit.New(now, actorOf(by), action, u.Email, fmt.Sprintf("%s → %s", u.Role, role))
	})
	if err != nil {
		return nil, err
	}
	return before, nil
}

// Invite emails email a link with which to join the staff in role, valid
// for InvitationTTL and usable once, and records it in the audit log. A
// *FieldError ("email" or "role") for a wrong address, a role that is not
// staff, or an address that is already staff.
func (s *Service) Invite(ctx context.Context, by *User, email string, role Role) (*Invitation, error) {
	if err := mayRun(by); err != nil {
		return nil, err
	}
	var wrong FieldErrors
	email, err := CheckEmail(email)
	wrong.add(err)
	if r, err := ParseRole(string(role)); err != nil || r == Reader {
		wrong = append(wrong, &FieldError{"role", "Choose the role to invite them to."})
	}
	if email != "" && err == nil {
		u, err := s.store.UserByEmail(ctx, email)
		switch {
		case err == nil && u.Staff():
			wrong = append(wrong, &FieldError{"email", fmt.Sprintf("%s is already on the staff, as %s; change their role in the list instead.", email, u.Role)})
		case err != nil && !isNotFound(err):
			return nil, err
		}
	}
	if len(wrong) > 0 {
		return nil, wrong
	}
	now := s.now().UTC()
	token, hash := newToken()
	inv := &Invitation{Email: email, Role: role, InvitedBy: by.ID, CreatedAt: now, ExpiresAt: now.Add(InvitationTTL)}
	m, err := s.compose(mail.Invitation, email, "", map[string]any{
		"Link": s.opts.BaseURL + "/invite?token=" + token, "Role": string(role), "Inviter": by.DisplayName,
		"Expires": s.mailTime(ctx, inv.ExpiresAt),
	})
	if err != nil {
		return nil, err
	}
	e := audit.New(now, actorOf(by), audit.InvitationSent, email, "as "+string(role))
	if err := s.store.CreateInvitation(ctx, inv, hash, m, e); err != nil {
		return nil, err
	}
	s.queue()
	return inv, nil
}

// Invitation finds the invitation a link's token opens, if it can still
// be accepted; ErrBadToken otherwise.
func (s *Service) Invitation(ctx context.Context, token string) (*Invitation, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrBadToken
	}
	inv, err := s.store.InvitationByToken(ctx, HashToken(token))
	if isNotFound(err) || err == nil && !inv.Valid(s.now()) {
		return nil, ErrBadToken
	}
	if err != nil {
		return nil, err
	}
	return inv, nil
}

// AcceptInvitation makes a new account for the invitation that token
// opens, with name and password, in the invited role, and signs it in.
// ErrBadToken for a link that is wrong, used or expired; ErrEmailTaken
// when the address has an account meanwhile (its owner accepts signed in,
// with AcceptAsUser); a FieldErrors for a wrong name or password.
func (s *Service) AcceptInvitation(ctx context.Context, token, name, pw string, c Client) (string, *Session, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return "", nil, err
	}
	var wrong FieldErrors
	name, err = CheckName(name)
	wrong.add(err)
	if err := s.checkPassword(pw, inv.Email, name); !wrong.add(err) && err != nil {
		return "", nil, err
	}
	if len(wrong) > 0 {
		return "", nil, wrong
	}
	hash, err := s.hasher.Hash(ctx, pw)
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC()
	// The link came to the address, so the address is confirmed.
	nu := &User{Email: inv.Email, DisplayName: name, PasswordHash: hash, Role: inv.Role, EmailVerifiedAt: now, CreatedAt: now, UpdatedAt: now}
	u, err := s.store.AcceptInvitation(ctx, HashToken(token), inv.Email, now, nu, 0, acceptEntry(now))
	if err != nil {
		return "", nil, err
	}
	return s.startSession(ctx, u, false, c)
}

// AcceptAsUser gives u, signed in, the role of the invitation that token
// opens, which must be for u's address. ErrBadToken for a link that is
// wrong, used, expired or for another address; ErrLastAdmin when u is the
// last administrator and the invitation is to a lesser role.
func (s *Service) AcceptAsUser(ctx context.Context, token string, u *User) (*User, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return nil, err
	}
	if u == nil || inv.Email != u.Email {
		return nil, ErrBadToken
	}
	now := s.now().UTC()
	return s.store.AcceptInvitation(ctx, HashToken(token), u.Email, now, nil, u.ID, acceptEntry(now))
}

// acceptEntry is the audit entry of an accepted invitation: the invitee
// acts, and the details say the role they took.
func acceptEntry(now time.Time) func(inv *Invitation, u *User) *audit.Entry {
	return func(inv *Invitation, u *User) *audit.Entry {
		return audit.New(now, actorOf(u), audit.InvitationUsed, u.Email, "joined as "+string(inv.Role))
	}
}
