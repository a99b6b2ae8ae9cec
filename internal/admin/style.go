package admin

// StyleSheet is the CSS of the admin pages, which the desk pages share so
// the two look and read alike.
const StyleSheet = layoutCSS
