module github.com/ioemail/ioemail/bench

go 1.26.8

require github.com/ioemail/ioemail v0.0.0

replace github.com/ioemail/ioemail => ../
