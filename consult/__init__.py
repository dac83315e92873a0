"""智能咨询 (issue #14): guided questionnaires for mediable matters ending in a 解纷意见书."""
