"""Spanish for Django admin's own strings that its catalogue words with "usted" (listed in
accounts/catalogue_overrides.py): the platform owner reads "tú" like everyone else."""

ES = {
    "Please enter the correct %(username)s and password for a staff account. Note that both fields may be case-sensitive.": "Escribe el %(username)s y la contraseña correctos de una cuenta de personal. Ten en cuenta que ambos campos distinguen mayúsculas y minúsculas.",
    "Please correct the error below.": "Corrige el error de abajo.",
    "Welcome,": "Hola,",
    "Start typing to filter…": "Escribe para filtrar…",
    "Forgotten your login credentials?": "¿Olvidaste tus datos de acceso?",
    "Select %s": "Elige %s",
    "Select %s to change": "Elige %s para modificar",
    "Select %s to view": "Elige %s para ver",
    "Select all objects on this page for an action": "Elegir todos los objetos de esta página para una acción",
    "Select this object for an action - {}": "Elegir este objeto para una acción - {}",
    "Enter a new password for the user <strong>%(username)s</strong>.": "Escribe una contraseña nueva para el usuario <strong>%(username)s</strong>.",
    "Please enter your new password twice so we can verify you typed it in correctly.": "Escribe tu contraseña nueva dos veces para comprobar que la escribiste bien.",
    "You are authenticated as %(username)s, but are not authorized to access this page. Would you like to login to a different account?": "Iniciaste sesión como %(username)s, pero no tienes acceso a esta página. ¿Quieres iniciar sesión con otra cuenta?",
}
