# The page-view rule in awk, for CloudFront standard logs (33 fields): the floor that the report
# benchmark compares pagetrack with. Bot detection is a short regular expression, not isbot's list.
BEGIN { FS = "\t" }
/^#/ { next }
$6 == "GET" && ($9 == "200" || $9 == "304") {
  path = $8
  if ($30 != "-") { if ($30 !~ /^text\/html/) next }
  else if (path !~ /(\/|\.html?)$/ && path ~ /\/[^\/]*\.[^\/]*$/) next
  if ($11 == "-" || $11 ~ /[Bb]ot|crawl|spider|curl|python|Go-http/) next
  sub(/index\.html$/, "", path)
  views[path]++
  total++
}
END {
  for (p in views) print views[p] "\t" p
  print total "\tTOTAL"
}
