package password_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"dateline/internal/password"
)

func ExampleHasher_Verify() {
	ctx := context.Background()
	h := password.NewHasher(password.DefaultParams(), 0, 2*time.Second)

	encoded, err := h.Hash(ctx, "ferret cobalt umbrella")
	if err != nil {
		fmt.Println(err) // ErrBusy: answer 503
		return
	}
	ok, needsRehash, err := h.Verify(ctx, "ferret cobalt umbrella", encoded)
	fmt.Println(ok, needsRehash, err)

	ok, _, _ = h.Verify(ctx, "ferret cobalt umbrella!", encoded)
	fmt.Println(ok)

	_, _, err = h.Verify(ctx, "anything", "$argon2id$v=19$m=99999999,t=2,p=1$c29tZXNhbHQ$c29tZXNhbHQ")
	fmt.Println(errors.Is(err, password.ErrMalformed))
	// Output:
	// true false <nil>
	// false
	// true
}

func ExamplePolicy_Check() {
	p := password.NewPolicy()
	account := []string{"jane@example.com", "Jane Doe", "Dateline"}
	for _, pw := range []string{"hunter2", "Password1", "Jane Doe", "ferret cobalt umbrella"} {
		if err := p.Check(pw, account...); err != nil {
			fmt.Printf("%s: %v\n", pw, err)
			continue
		}
		fmt.Printf("%s: ok\n", pw)
	}
	// Output:
	// hunter2: Your password needs at least 8 characters. A few unrelated words make a long password that is still easy to remember.
	// Password1: That password is one of the most commonly used, so it is easy to guess. Choose another.
	// Jane Doe: Your password can't be the same as your email address, your name or the name of this site, because those are easy to guess. Choose another.
	// ferret cobalt umbrella: ok
}
