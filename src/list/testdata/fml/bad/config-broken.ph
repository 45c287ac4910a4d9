$MAIL_LIST = "cq-test\@example.org";
$BROKEN = "unterminated;
1;
