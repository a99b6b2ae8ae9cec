package admin_test

import (
	"fmt"

	"salesdesk/internal/admin"
)

func ExampleSanitizeHTML() {
	fmt.Println(admin.SanitizeHTML(`<p onclick="steal()">Your order <b>SO-10042</b> <a href="javascript:alert(1)">shipped</a>.</p><script>alert(1)</script>`))
	// Output:
	// <p>Your order <b>SO-10042</b> <a>shipped</a>.</p>
}
