// Package password hashes, verifies and vets the passwords of Dateline's
// accounts.
//
// # Hashing
//
// A [Hasher] turns a password into an argon2id hash in the PHC string format
// used by the reference implementation:
//
//	$argon2id$v=19$m=19456,t=2,p=1$<salt>$<key>
//
// where salt and key are standard base64 without padding. The parameters are
// stored in the string, so [Hasher.Verify] checks a hash with the parameters
// it was made with and reports, through needsRehash, when they differ from
// the Hasher's own; the caller then stores a fresh [Hasher.Hash] of the
// password it has just verified. Parsing is strict and bounds every
// parameter (at most 1 GiB of memory, 100 passes, 64 threads), so a tampered
// hash yields [ErrMalformed] rather than a huge allocation or a panic.
//
// The password is hashed exactly as given: its UTF-8 bytes, with no Unicode
// normalisation, trimming or case folding.
//
// Each hash costs about 19 MiB of memory and tens of milliseconds of CPU, so
// a Hasher runs at most a fixed number at once. A request that cannot get a
// slot within the Hasher's wait gets [ErrBusy], which callers answer with
// 503 Service Unavailable. For a login attempt on an unknown account, call
// [Hasher.DummyVerify] so that the answer takes as long as for a real one.
//
// The Hasher reads passwords of any length; limit the size of request bodies
// before they reach it.
//
// # Policy
//
// A [Policy] follows NIST SP 800-63B and OWASP: a password must have between
// [MinLength] and [MaxLength] characters (counted after NFC normalisation,
// so "é" is one character however it was typed), may use any characters, has
// no composition rules (no "one digit, one symbol"), and is refused if it is
// one of the most common passwords or equals the account's own details such
// as its email address or display name. [Policy.Check] returns a
// [*PolicyError] whose message can be shown to the person as it is.
//
// The list of common passwords, common.txt, is embedded in the binary; its
// header records where it comes from and how it was filtered.
package password
