S
﻿SELECT 1; SELECT été, "“q”";