// replaced by the verifyjs branch
