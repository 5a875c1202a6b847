P
;;
 ; SELECT 1;;